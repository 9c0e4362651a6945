using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Retain.Kernel.Formats.Safetensors;

/// <summary>Fills <paramref name="destination"/> with elements [offset, offset + destination.Length) of a float tensor.</summary>
public delegate void FloatChunkSource(long offset, Span<float> destination);

/// <summary>A tensor to write: float data converted to <see cref="DType"/>, or raw bytes copied as they are.</summary>
public sealed class SafetensorsTensor
{
    private SafetensorsTensor(string name, SafetensorsDType dtype, long[] shape, FloatChunkSource? floats, ReadOnlyMemory<byte> raw)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        Floats = floats;
        Raw = raw;
    }

    /// <summary>The tensor name.</summary>
    public string Name { get; }

    /// <summary>The stored element type.</summary>
    public SafetensorsDType DType { get; }

    /// <summary>The shape.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Element count.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    internal FloatChunkSource? Floats { get; }

    internal ReadOnlyMemory<byte> Raw { get; }

    /// <summary>Float values stored as F32, BF16 (round to nearest even) or F16.</summary>
    public static SafetensorsTensor FromFloats(string name, IReadOnlyList<long> shape, float[] values, SafetensorsDType dtype = SafetensorsDType.F32)
    {
        var t = FromSource(name, shape, (offset, dst) => values.AsSpan((int)offset, dst.Length).CopyTo(dst), dtype);
        if (values.LongLength != t.ElementCount) throw new ArgumentException($"Tensor '{name}' has {values.Length} values for shape [{string.Join(", ", shape)}].");
        return t;
    }

    /// <summary>Float values produced chunk by chunk (e.g. downloaded from a backend).</summary>
    public static SafetensorsTensor FromSource(string name, IReadOnlyList<long> shape, FloatChunkSource source, SafetensorsDType dtype = SafetensorsDType.F32)
    {
        if (dtype is not (SafetensorsDType.F32 or SafetensorsDType.BF16 or SafetensorsDType.F16))
        {
            throw new ArgumentException($"Float tensors are written as F32, BF16 or F16, not {dtype}.");
        }
        return new SafetensorsTensor(name, dtype, shape.ToArray(), source, default);
    }

    /// <summary>Bytes copied unchanged (tensors the kernel does not model, e.g. a vision tower).</summary>
    public static SafetensorsTensor FromRaw(string name, SafetensorsDType dtype, IReadOnlyList<long> shape, ReadOnlyMemory<byte> bytes)
    {
        var t = new SafetensorsTensor(name, dtype, shape.ToArray(), null, bytes);
        if (bytes.Length != t.ElementCount * dtype.Size()) throw new ArgumentException($"Tensor '{name}' has {bytes.Length} bytes for {dtype} [{string.Join(", ", shape)}].");
        return t;
    }
}

/// <summary>Writes safetensors files atomically (temporary file in the same directory, flushed, then renamed).</summary>
public static class SafetensorsWriter
{
    private const int ChunkElements = 1 << 20;

    /// <summary>Writes <paramref name="tensors"/> to <paramref name="path"/>; metadata defaults to <c>{"format": "pt"}</c>, which transformers requires.</summary>
    public static void Write(string path, IReadOnlyList<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        metadata ??= new Dictionary<string, string> { ["format"] = "pt" };
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            if (!names.Add(t.Name)) throw new ArgumentException($"Tensor '{t.Name}' is listed twice.");
            if (t.Name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved.");
        }

        // The data order of the safetensors library: larger dtype alignment first, then by name.
        tensors = tensors.OrderByDescending(t => AlignmentRank(t.DType)).ThenBy(t => t.Name, StringComparer.Ordinal).ToArray();
        byte[] header = BuildHeader(tensors, metadata);
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                stream.Write(BitConverter.GetBytes((ulong)header.Length));
                stream.Write(header);
                WriteData(stream, tensors);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            if (File.Exists(temporary)) File.Delete(temporary);
            throw;
        }
    }

    // The order of safetensors' Dtype enum, which its writer sorts by (descending).
    private static int AlignmentRank(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.BOOL => 0,
        SafetensorsDType.U8 => 1,
        SafetensorsDType.I8 => 2,
        SafetensorsDType.F8_E5M2 => 3,
        SafetensorsDType.F8_E4M3 => 4,
        SafetensorsDType.I16 => 5,
        SafetensorsDType.U16 => 6,
        SafetensorsDType.F16 => 7,
        SafetensorsDType.BF16 => 8,
        SafetensorsDType.I32 => 9,
        SafetensorsDType.U32 => 10,
        SafetensorsDType.F32 => 11,
        SafetensorsDType.F64 => 12,
        SafetensorsDType.I64 => 13,
        _ => 14,
    };

    private static byte[] BuildHeader(IReadOnlyList<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var (k, v) in metadata) json.WriteString(k, v);
            json.WriteEndObject();
            long offset = 0;
            foreach (var t in tensors)
            {
                long bytes = t.ElementCount * t.DType.Size();
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", t.DType.ToString());
                json.WriteStartArray("shape");
                foreach (var d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        // Pad with spaces so the data section starts 8-byte aligned, as the reference implementation does.
        int padded = (int)((buffer.Length + 7) / 8 * 8);
        var header = new byte[padded];
        buffer.ToArray().CopyTo(header, 0);
        for (long i = buffer.Length; i < padded; i++) header[i] = (byte)' ';
        return header;
    }

    private static void WriteData(Stream stream, IReadOnlyList<SafetensorsTensor> tensors)
    {
        float[] chunk = ArrayPool<float>.Shared.Rent(ChunkElements);
        byte[] bytes = ArrayPool<byte>.Shared.Rent(ChunkElements * 4);
        try
        {
            foreach (var t in tensors)
            {
                if (t.Floats is null)
                {
                    stream.Write(t.Raw.Span);
                    continue;
                }
                long count = t.ElementCount;
                for (long offset = 0; offset < count; offset += ChunkElements)
                {
                    int n = (int)Math.Min(ChunkElements, count - offset);
                    var values = chunk.AsSpan(0, n);
                    t.Floats(offset, values);
                    switch (t.DType)
                    {
                        case SafetensorsDType.F32:
                            stream.Write(MemoryMarshal.AsBytes((ReadOnlySpan<float>)values));
                            break;
                        case SafetensorsDType.BF16:
                            var bf = MemoryMarshal.Cast<byte, ushort>(bytes.AsSpan(0, 2 * n));
                            for (int i = 0; i < n; i++) bf[i] = SafetensorsDTypes.ToBFloat16(values[i]);
                            stream.Write(bytes, 0, 2 * n);
                            break;
                        case SafetensorsDType.F16:
                            var h = MemoryMarshal.Cast<byte, Half>(bytes.AsSpan(0, 2 * n));
                            for (int i = 0; i < n; i++) h[i] = (Half)values[i];
                            stream.Write(bytes, 0, 2 * n);
                            break;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(chunk);
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Writes a file with text atomically (config and index files).</summary>
    public static void WriteTextAtomic(string path, string text)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temporary, text, new UTF8Encoding(false));
        File.Move(temporary, path, overwrite: true);
    }
}
