using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Retain.Kernel.Formats.Safetensors;

/// <summary>One tensor of a safetensors file.</summary>
/// <param name="Name">The tensor name.</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Shape.</param>
/// <param name="DataOffset">Start of its bytes, relative to the data section.</param>
/// <param name="ByteLength">Number of bytes.</param>
public sealed record SafetensorsTensorInfo(string Name, SafetensorsDType DType, IReadOnlyList<long> Shape, long DataOffset, long ByteLength)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The shape as ints (for the kernel's tensors, which are all below 2³¹ per dimension).</summary>
    public int[] IntShape => Shape.Select(d => checked((int)d)).ToArray();
}

/// <summary>
/// A memory-mapped safetensors file. The header is validated when opening — length, JSON, known dtypes, shapes,
/// offsets inside the data section, byte lengths consistent with dtype × shape, no overlapping tensors — so a
/// truncated or hostile file raises <see cref="SafetensorsFormatException"/> naming the file and tensor, and reads can
/// never leave the mapped range.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    /// <summary>Headers above this size are refused (the format's own reference limit is 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly Dictionary<string, SafetensorsTensorInfo> _tensors;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _base;
    private readonly long _dataStart;
    private readonly long _dataLength;

    private SafetensorsFile(string path, Dictionary<string, SafetensorsTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata,
        MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* pointer, long dataStart, long dataLength)
    {
        Path = path;
        _tensors = tensors;
        Metadata = metadata;
        _map = map;
        _view = view;
        _base = pointer;
        _dataStart = dataStart;
        _dataLength = dataLength;
        Tensors = tensors.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The <c>__metadata__</c> entries.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>All tensors, by name.</summary>
    public IReadOnlyList<SafetensorsTensorInfo> Tensors { get; }

    /// <summary>Whether a tensor exists.</summary>
    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <summary>A tensor's description; throws naming the file when missing.</summary>
    public SafetensorsTensorInfo this[string name] => _tensors.TryGetValue(name, out var t)
        ? t
        : throw new SafetensorsFormatException($"{Path}: no tensor named '{name}'.");

    /// <summary>Opens and validates a file.</summary>
    public static SafetensorsFile Open(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(path)) throw new SafetensorsFormatException($"{path}: file not found.");
        long fileLength = new FileInfo(path).Length;
        if (fileLength < 8) throw new SafetensorsFormatException($"{path}: {fileLength} bytes is too short for a safetensors file (8-byte header length missing).");

        byte[] lengthBytes = new byte[8];
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            stream.ReadExactly(lengthBytes);
            ulong headerLength = BitConverter.ToUInt64(lengthBytes);
            if (headerLength > (ulong)(fileLength - 8))
            {
                throw new SafetensorsFormatException($"{path}: header length {headerLength} exceeds the {fileLength - 8} bytes after the length field (truncated file?).");
            }
            if (headerLength > MaxHeaderBytes) throw new SafetensorsFormatException($"{path}: header length {headerLength} is implausibly large (limit {MaxHeaderBytes}).");
            var header = new byte[headerLength];
            stream.ReadExactly(header);
            long dataStart = 8 + (long)headerLength;
            long dataLength = fileLength - dataStart;
            var (tensors, metadata) = ParseHeader(path, header, dataLength);

            MemoryMappedFile? map = null;
            MemoryMappedViewAccessor? view = null;
            byte* pointer = null;
            if (fileLength > 0)
            {
                map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
                view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
                view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
                pointer += view.PointerOffset;
            }
            return new SafetensorsFile(path, tensors, metadata, map, view, pointer, dataStart, dataLength);
        }
    }

    private static (Dictionary<string, SafetensorsTensorInfo>, IReadOnlyDictionary<string, string>) ParseHeader(string path, byte[] header, long dataLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException($"{path}: the header is not valid JSON ({e.Message}).", e);
        }
        catch (ArgumentException e)
        {
            throw new SafetensorsFormatException($"{path}: the header is not valid UTF-8 JSON ({e.Message}).", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new SafetensorsFormatException($"{path}: the header must be a JSON object.");
            var tensors = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object) throw new SafetensorsFormatException($"{path}: __metadata__ must be an object of strings.");
                    foreach (var m in property.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw new SafetensorsFormatException($"{path}: __metadata__ entry '{m.Name}' must be a string.");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                if (tensors.ContainsKey(property.Name)) throw new SafetensorsFormatException($"{path}: tensor '{property.Name}' appears twice in the header.");
                tensors[property.Name] = ParseTensor(path, property.Name, property.Value, dataLength);
            }

            SafetensorsTensorInfo? previous = null;
            foreach (var t in tensors.Values.Where(t => t.ByteLength > 0).OrderBy(t => t.DataOffset))
            {
                if (previous is not null && t.DataOffset < previous.DataOffset + previous.ByteLength)
                {
                    throw new SafetensorsFormatException($"{path}: tensors '{previous.Name}' and '{t.Name}' overlap in the data section.");
                }
                previous = t;
            }
            return (tensors, metadata);
        }
    }

    private static SafetensorsTensorInfo ParseTensor(string path, string name, JsonElement e, long dataLength)
    {
        string where = $"{path}: tensor '{name}'";
        if (e.ValueKind != JsonValueKind.Object) throw new SafetensorsFormatException($"{where} must be an object with dtype, shape and data_offsets.");
        if (!e.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw new SafetensorsFormatException($"{where} has no dtype string.");
        }
        var dtype = SafetensorsDTypes.Parse(dtypeElement.GetString()!)
            ?? throw new SafetensorsFormatException($"{where} has unknown dtype '{dtypeElement.GetString()}'.");
        if (!e.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw new SafetensorsFormatException($"{where} has no shape array.");
        }
        var shape = new List<long>();
        long elements = 1;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
            {
                throw new SafetensorsFormatException($"{where} has an invalid shape entry {d.GetRawText()} (must be a non-negative integer).");
            }
            shape.Add(dim);
            try
            {
                elements = checked(elements * dim);
            }
            catch (OverflowException)
            {
                throw new SafetensorsFormatException($"{where} has a shape whose element count overflows.");
            }
        }
        if (!e.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
        {
            throw new SafetensorsFormatException($"{where} needs data_offsets [begin, end].");
        }
        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
        {
            throw new SafetensorsFormatException($"{where} has invalid data_offsets {offsets.GetRawText()}.");
        }
        if (end > dataLength)
        {
            throw new SafetensorsFormatException($"{where} ends at byte {end} of the data section, but the file holds only {dataLength} data bytes (truncated file?).");
        }
        long expected;
        try
        {
            expected = checked(elements * dtype.Size());
        }
        catch (OverflowException)
        {
            throw new SafetensorsFormatException($"{where} is too large.");
        }
        if (end - begin != expected)
        {
            throw new SafetensorsFormatException($"{where} has {end - begin} bytes, but dtype {dtype} × shape [{string.Join(", ", shape)}] needs {expected}.");
        }
        return new SafetensorsTensorInfo(name, dtype, shape, begin, end - begin);
    }

    /// <summary>The raw bytes of a tensor (valid while the file is open).</summary>
    public ReadOnlySpan<byte> RawBytes(SafetensorsTensorInfo tensor)
    {
        if (_base is null) throw new ObjectDisposedException(Path);
        if (tensor.ByteLength > int.MaxValue) throw new SafetensorsFormatException($"{Path}: tensor '{tensor.Name}' is too large for one span.");
        return new ReadOnlySpan<byte>(_base + _dataStart + tensor.DataOffset, (int)tensor.ByteLength);
    }

    /// <summary>Reads a tensor as float32 (from F32, F16, BF16 or F64) into <paramref name="destination"/>.</summary>
    public void ReadFloat32(string name, Span<float> destination) => ReadFloat32(this[name], destination);

    /// <summary>Reads a tensor as a new float32 array.</summary>
    public float[] ReadFloat32(string name)
    {
        var t = this[name];
        var values = new float[t.ElementCount];
        ReadFloat32(t, values);
        return values;
    }

    /// <summary>Reads a tensor as float32 into <paramref name="destination"/> (its length must equal the element count).</summary>
    public void ReadFloat32(SafetensorsTensorInfo tensor, Span<float> destination)
    {
        if (_base is null) throw new ObjectDisposedException(Path);
        if (destination.Length != tensor.ElementCount)
        {
            throw new SafetensorsFormatException($"{Path}: tensor '{tensor.Name}' has {tensor.ElementCount} elements; {destination.Length} were expected.");
        }
        if (!tensor.DType.IsReadableAsFloat())
        {
            throw new SafetensorsFormatException($"{Path}: tensor '{tensor.Name}' has dtype {tensor.DType}; only F32, F16, BF16 and F64 can be read as float32.");
        }
        byte* p = _base + _dataStart + tensor.DataOffset;
        long n = tensor.ElementCount;
        switch (tensor.DType)
        {
            case SafetensorsDType.F32:
                new ReadOnlySpan<byte>(p, checked((int)tensor.ByteLength)).CopyTo(MemoryMarshal.AsBytes(destination));
                break;
            case SafetensorsDType.BF16:
                for (long i = 0; i < n; i++) destination[(int)i] = SafetensorsDTypes.FromBFloat16(System.Runtime.CompilerServices.Unsafe.ReadUnaligned<ushort>(p + 2 * i));
                break;
            case SafetensorsDType.F16:
                for (long i = 0; i < n; i++) destination[(int)i] = (float)System.Runtime.CompilerServices.Unsafe.ReadUnaligned<Half>(p + 2 * i);
                break;
            case SafetensorsDType.F64:
                for (long i = 0; i < n; i++) destination[(int)i] = (float)System.Runtime.CompilerServices.Unsafe.ReadUnaligned<double>(p + 8 * i);
                break;
        }
    }

    /// <summary>Unmaps the file.</summary>
    public void Dispose()
    {
        if (_view is not null && _base is not null) _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _base = null;
        _view?.Dispose();
        _map?.Dispose();
    }
}
