using Retain.Kernel.Backends.Cuda.Compilation;

namespace Retain.Cuda.Tests.Emulation;

/// <summary>
/// The launches of one emulated backend: each runs as <see cref="EmulatorOptions.Run"/> and then, from the same
/// device memory, as every run of <see cref="EmulatorOptions.CompareWith"/>, which must leave every byte of the
/// launch's buffers as the first run did. Launches are numbered, and the number is mixed into the seed, so one
/// backend's launches replay the same way under the same seed.
/// </summary>
internal sealed unsafe class EmulatedLaunches(EmulatorOptions options)
{
    private long _launches;

    public void Execute(KernelSpec kernel, Dim3 grid, int blockThreads, ReadOnlySpan<KernelArg> arguments)
    {
        long number = ++_launches;
        ulong seed = Mix(options.Seed, (ulong)number);
        string replay = $"(emulator seed 0x{options.Seed:x}, launch {number} of this backend; {EmulatorOptions.SeedVariable}=0x{options.Seed:x} replays it)";
        var buffers = Buffers(arguments);
        var inputs = options.CompareWith.Count == 0 ? null : buffers.Select(b => Read(b)).ToArray();
        Run(kernel, grid, blockThreads, arguments, options.Run, seed, replay);
        if (inputs is null) return;
        var first = buffers.Select(b => Read(b)).ToArray();
        foreach (var other in options.CompareWith)
        {
            for (int i = 0; i < buffers.Count; i++) Write(buffers[i], inputs[i]);
            Run(kernel, grid, blockThreads, arguments, other, seed, replay);
            for (int i = 0; i < buffers.Count; i++)
            {
                var now = Read(buffers[i]);
                int at = now.AsSpan().CommonPrefixLength(first[i]);
                if (at == now.Length) continue;
                int element = at / 4 * 4;
                throw new InvalidOperationException(
                    $"{kernel} gives different results under {options.Run} and under {other}: argument {buffers[i].Argument} first differs at byte {at} " +
                    $"(as float32: {BitConverter.ToSingle(first[i], element):R} vs {BitConverter.ToSingle(now, element):R}), an order dependence {replay}.");
            }
        }
    }

    private void Run(KernelSpec kernel, Dim3 grid, int blockThreads, ReadOnlySpan<KernelArg> arguments, EmulatorRun run, ulong seed, string replay)
    {
        try
        {
            KernelEmulator.Execute(kernel, grid, blockThreads, arguments, run, options.CheckSharedMemory, seed);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{e.Message} [{run}] {replay}", e);
        }
    }

    private readonly record struct Buffer(int Argument, ulong Address, long Bytes);

    private static List<Buffer> Buffers(ReadOnlySpan<KernelArg> arguments)
    {
        var buffers = new List<Buffer>();
        for (int i = 0; i < arguments.Length; i++)
        {
            if (arguments[i].Kind == KernelArgKind.Pointer && arguments[i].Bits != 0 && arguments[i].PointerBytes > 0)
            {
                buffers.Add(new Buffer(i, arguments[i].Bits, arguments[i].PointerBytes));
            }
        }
        return buffers;
    }

    private static byte[] Read(Buffer buffer) => new ReadOnlySpan<byte>((void*)buffer.Address, checked((int)buffer.Bytes)).ToArray();

    private static void Write(Buffer buffer, byte[] bytes) => bytes.CopyTo(new Span<byte>((void*)buffer.Address, bytes.Length));

    // SplitMix64's finaliser: launch numbers 1, 2, 3 give unrelated seeds.
    private static ulong Mix(ulong seed, ulong number)
    {
        ulong z = seed + 0x9E3779B97F4A7C15UL * number;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
