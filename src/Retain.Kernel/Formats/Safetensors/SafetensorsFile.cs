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
        var target = FileLinks.Target(path) ?? throw new SafetensorsFormatException($"{path}: cannot be read: {FileLinks.Problem(path)}.");
        long fileLength = target.Length;
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
        long invalid = JsonErrors.FirstInvalidUtf8(header);
        if (invalid >= 0)
        {
            throw new SafetensorsFormatException($"{path}: the header is not valid UTF-8 at byte {8 + invalid} of the file (0x{header[invalid]:X2}, offset {invalid} in the {header.Length}-byte header); a safetensors header must be UTF-8 JSON.");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException($"{path}: the header is not valid JSON ({JsonErrors.Describe(e)}); a safetensors header must be one JSON object.", e);
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
        if (destination.Length != tensor.ElementCount)
        {
            throw new SafetensorsFormatException($"{Path}: tensor '{tensor.Name}' has {tensor.ElementCount} elements; {destination.Length} were expected.");
        }
        ReadFloat32(tensor, 0, destination);
    }

    /// <summary>
    /// Reads elements [<paramref name="offset"/>, offset + destination.Length) of a tensor as float32, converting F16,
    /// BF16 and F64 on the way: a large tensor is loaded chunk by chunk without a host copy of the whole of it.
    /// </summary>
    public void ReadFloat32(SafetensorsTensorInfo tensor, long offset, Span<float> destination)
    {
        if (_base is null) throw new ObjectDisposedException(Path);
        if (offset < 0 || offset + destination.Length > tensor.ElementCount)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"Elements [{offset}, {offset + destination.Length}) lie outside tensor '{tensor.Name}' of {tensor.ElementCount}.");
        }
        if (!tensor.DType.IsReadableAsFloat())
        {
            throw new SafetensorsFormatException($"{Path}: tensor '{tensor.Name}' has dtype {tensor.DType}; only F32, F16, BF16 and F64 can be read as float32.");
        }
        int size = tensor.DType.Size();
        byte* p = _base + _dataStart + tensor.DataOffset + offset * size;
        int n = destination.Length;
        switch (tensor.DType)
        {
            case SafetensorsDType.F32:
                new ReadOnlySpan<byte>(p, checked(n * 4)).CopyTo(MemoryMarshal.AsBytes(destination));
                break;
            case SafetensorsDType.BF16:
                for (int i = 0; i < n; i++) destination[i] = SafetensorsDTypes.FromBFloat16(System.Runtime.CompilerServices.Unsafe.ReadUnaligned<ushort>(p + 2L * i));
                break;
            case SafetensorsDType.F16:
                for (int i = 0; i < n; i++) destination[i] = (float)System.Runtime.CompilerServices.Unsafe.ReadUnaligned<Half>(p + 2L * i);
                break;
            case SafetensorsDType.F64:
                for (int i = 0; i < n; i++) destination[i] = (float)System.Runtime.CompilerServices.Unsafe.ReadUnaligned<double>(p + 8L * i);
                break;
        }
    }

    /// <summary>
    /// Tells the OS that this process is done with a tensor's mapped pages, so they stop counting towards its resident
    /// memory (they stay in the page cache; a later read maps them again). Loading a checkpoint does this after each
    /// tensor, so peak RSS is the converted weights, not the weights plus the whole mapped file.
    /// </summary>
    public void ReleasePages(SafetensorsTensorInfo tensor)
    {
        if (_base is null || !OperatingSystem.IsLinux()) return;
        long page = Environment.SystemPageSize;
        long start = (long)(_base + _dataStart + tensor.DataOffset);
        long first = (start + page - 1) / page * page, last = (start + tensor.ByteLength) / page * page;
        if (last > first) _ = Madvise((nint)first, (nuint)(last - first), MadviseDontNeed);
    }

    private const int MadviseDontNeed = 4;

    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static extern int Madvise(nint address, nuint length, int advice);

    /// <summary>Unmaps the file.</summary>
    public void Dispose()
    {
        if (_view is not null && _base is not null) _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _base = null;
        _view?.Dispose();
        _map?.Dispose();
    }
}
