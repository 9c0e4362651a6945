namespace Retain.Kernel.Formats.Safetensors;

/// <summary>Element types of the safetensors format (names as in the header).</summary>
public enum SafetensorsDType
{
    /// <summary>Boolean, one byte.</summary>
    BOOL,
    /// <summary>Unsigned 8-bit.</summary>
    U8,
    /// <summary>Signed 8-bit.</summary>
    I8,
    /// <summary>8-bit float, e4m3.</summary>
    F8_E4M3,
    /// <summary>8-bit float, e5m2.</summary>
    F8_E5M2,
    /// <summary>Signed 16-bit.</summary>
    I16,
    /// <summary>Unsigned 16-bit.</summary>
    U16,
    /// <summary>IEEE half.</summary>
    F16,
    /// <summary>bfloat16.</summary>
    BF16,
    /// <summary>Signed 32-bit.</summary>
    I32,
    /// <summary>Unsigned 32-bit.</summary>
    U32,
    /// <summary>IEEE single.</summary>
    F32,
    /// <summary>IEEE double.</summary>
    F64,
    /// <summary>Signed 64-bit.</summary>
    I64,
    /// <summary>Unsigned 64-bit.</summary>
    U64,
}

/// <summary>Sizes and conversions of <see cref="SafetensorsDType"/>.</summary>
public static class SafetensorsDTypes
{
    /// <summary>Bytes per element.</summary>
    public static int Size(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.BOOL or SafetensorsDType.U8 or SafetensorsDType.I8 or SafetensorsDType.F8_E4M3 or SafetensorsDType.F8_E5M2 => 1,
        SafetensorsDType.I16 or SafetensorsDType.U16 or SafetensorsDType.F16 or SafetensorsDType.BF16 => 2,
        SafetensorsDType.I32 or SafetensorsDType.U32 or SafetensorsDType.F32 => 4,
        _ => 8,
    };

    /// <summary>Whether the kernel can read the type as float32.</summary>
    public static bool IsReadableAsFloat(this SafetensorsDType dtype) =>
        dtype is SafetensorsDType.F32 or SafetensorsDType.F16 or SafetensorsDType.BF16 or SafetensorsDType.F64;

    /// <summary>Parses a header dtype name; null when unknown.</summary>
    public static SafetensorsDType? Parse(string name) => Enum.TryParse<SafetensorsDType>(name, ignoreCase: false, out var d) && Enum.IsDefined(d) && name == d.ToString() ? d : null;

    /// <summary>float32 → bfloat16 with round-to-nearest-even (NaN stays NaN), as PyTorch's cast.</summary>
    public static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x40);
        uint rounding = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    /// <summary>bfloat16 → float32 (exact).</summary>
    public static float FromBFloat16(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);
}
