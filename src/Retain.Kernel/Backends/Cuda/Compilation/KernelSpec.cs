namespace Retain.Kernel.Backends.Cuda.Compilation;

/// <summary>The C type class of a kernel parameter, as the launch passes it.</summary>
internal enum KernelArgKind : byte
{
    /// <summary>Any device pointer (<c>float*</c>, <c>const int*</c>, <c>double*</c>, <c>retain_bf16*</c>).</summary>
    Pointer,
    /// <summary><c>int</c>.</summary>
    Int32,
    /// <summary><c>long long</c>.</summary>
    Int64,
    /// <summary><c>float</c>.</summary>
    Float32,
    /// <summary><c>unsigned long long</c>.</summary>
    UInt64,
}

/// <summary>
/// An <c>extern "C" __global__</c> kernel the backend launches: its module (the .cu file), its name and its parameter
/// kinds. Launches are checked against the parameter list, and a test checks the list against the .cu source.
/// </summary>
internal sealed class KernelSpec(string module, string name, params KernelArgKind[] parameters)
{
    /// <summary>The .cu file without extension.</summary>
    public string Module { get; } = module;

    /// <summary>The exported kernel name.</summary>
    public string Name { get; } = name;

    /// <summary>The parameter kinds in order.</summary>
    public IReadOnlyList<KernelArgKind> Parameters { get; } = parameters;

    /// <summary>Throws when the arguments do not match the parameter list (count and kind).</summary>
    public void CheckArguments(ReadOnlySpan<KernelArg> arguments)
    {
        if (arguments.Length != Parameters.Count)
        {
            throw new InvalidOperationException($"Kernel {Name} takes {Parameters.Count} arguments; the launch passed {arguments.Length}.");
        }
        for (int i = 0; i < arguments.Length; i++)
        {
            if (arguments[i].Kind != Parameters[i])
            {
                throw new InvalidOperationException($"Kernel {Name}: argument {i} is a {arguments[i].Kind}, the kernel declares a {Parameters[i]}.");
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Module}.cu:{Name}";
}

/// <summary>A device address with the number of bytes the op may touch from it (0 for a null pointer).</summary>
internal readonly record struct DevicePointer(ulong Address, long Bytes)
{
    /// <summary>The null pointer (an absent optional argument).</summary>
    public static DevicePointer Null => default;

    /// <summary>Whether this is the null pointer.</summary>
    public bool IsNull => Address == 0;

    /// <summary>The address <paramref name="elements"/> elements of <paramref name="elementSize"/> bytes further.</summary>
    public DevicePointer Offset(long elements, int elementSize = sizeof(float)) =>
        new(Address + (ulong)(elements * elementSize), Bytes - elements * elementSize);
}

/// <summary>One kernel argument: its kind and its bits (little-endian, low bytes first, as the launch reads them).</summary>
internal readonly struct KernelArg
{
    private KernelArg(ulong bits, KernelArgKind kind, long bytes)
    {
        Bits = bits;
        Kind = kind;
        PointerBytes = bytes;
    }

    /// <summary>The value's bits.</summary>
    public ulong Bits { get; }

    /// <summary>The kind.</summary>
    public KernelArgKind Kind { get; }

    /// <summary>For pointers: the bytes the op may touch (checked by the test device).</summary>
    public long PointerBytes { get; }

    /// <summary>An <c>int</c>.</summary>
    public static implicit operator KernelArg(int value) => new(unchecked((uint)value), KernelArgKind.Int32, 0);

    /// <summary>A <c>long long</c>.</summary>
    public static implicit operator KernelArg(long value) => new(unchecked((ulong)value), KernelArgKind.Int64, 0);

    /// <summary>A <c>float</c>.</summary>
    public static implicit operator KernelArg(float value) => new(BitConverter.SingleToUInt32Bits(value), KernelArgKind.Float32, 0);

    /// <summary>An <c>unsigned long long</c>.</summary>
    public static implicit operator KernelArg(ulong value) => new(value, KernelArgKind.UInt64, 0);

    /// <summary>A device pointer.</summary>
    public static implicit operator KernelArg(DevicePointer pointer) => new(pointer.Address, KernelArgKind.Pointer, pointer.Bytes);
}

/// <summary>A launch grid.</summary>
internal readonly record struct Dim3(uint X, uint Y = 1, uint Z = 1)
{
    /// <summary>Whether the grid has no blocks (the launch is skipped).</summary>
    public bool IsEmpty => X == 0 || Y == 0 || Z == 0;
}
