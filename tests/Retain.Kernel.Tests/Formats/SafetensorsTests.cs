using System.Text;
using Retain.Kernel.Formats.Safetensors;

namespace Retain.Kernel.Tests.Formats;

public sealed class SafetensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("retain-st").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Round_trip_keeps_values_for_f32_and_rounds_bf16_and_f16()
    {
        var values = new[] { 1.5f, -2.25f, 3.1415927f, 1e-3f, -65504f, 0f };
        string path = PathOf("a.safetensors");
        SafetensorsWriter.Write(path,
        [
            SafetensorsTensor.FromFloats("x.f32", [2, 3], values),
            SafetensorsTensor.FromFloats("x.bf16", [6], values, SafetensorsDType.BF16),
            SafetensorsTensor.FromFloats("x.f16", [3, 2], values, SafetensorsDType.F16),
        ]);
        using var file = SafetensorsFile.Open(path);
        file.Metadata["format"].ShouldBe("pt");
        file["x.f32"].Shape.ShouldBe([2L, 3L]);
        file.ReadFloat32("x.f32").ShouldBe(values);
        file.ReadFloat32("x.bf16").ShouldBe(values.Select(v => SafetensorsDTypes.FromBFloat16(SafetensorsDTypes.ToBFloat16(v))).ToArray());
        file.ReadFloat32("x.f16").ShouldBe(values.Select(v => (float)(Half)v).ToArray());
        // Round to nearest even, as PyTorch: 1 + 2^-8 is a tie between 1 and 1 + 2^-7.
        SafetensorsDTypes.ToBFloat16(1f + 1f / 256).ShouldBe((ushort)0x3F80);
        SafetensorsDTypes.ToBFloat16(1f + 3f / 256).ShouldBe((ushort)0x3F82);
        (new FileInfo(path).Length - 8).ShouldBeGreaterThan(0);
        Directory.GetFiles(_dir).Length.ShouldBe(1, "no temporary file is left behind");
    }

    private string WriteRaw(string name, string header, int dataBytes, long? declaredLength = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        using var stream = File.Create(PathOf(name));
        stream.Write(BitConverter.GetBytes(declaredLength ?? h.Length));
        stream.Write(h);
        stream.Write(new byte[dataBytes]);
        return PathOf(name);
    }

    public static TheoryData<string, string, int, long?, string> CorruptCases() => new()
    {
        { "short", "", -8, null, "too short" },
        { "length-beyond-file", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4, 1 << 20, "exceeds" },
        { "not-json", "{not json", 0, null, "not valid JSON" },
        { "not-object", "[1,2]", 0, null, "must be a JSON object" },
        { "unknown-dtype", """{"a":{"dtype":"F31","shape":[1],"data_offsets":[0,4]}}""", 4, null, "unknown dtype" },
        { "negative-shape", """{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 4, null, "invalid shape" },
        { "offsets-beyond-data", """{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8, null, "truncated" },
        { "size-mismatch", """{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, null, "needs 12" },
        { "reversed-offsets", """{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}""", 8, null, "invalid data_offsets" },
        { "overlap", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, null, "overlap" },
        { "missing-offsets", """{"a":{"dtype":"F32","shape":[2]}}""", 8, null, "data_offsets" },
        { "bad-metadata", """{"__metadata__":{"k":1}}""", 0, null, "__metadata__" },
        { "overflowing-shape", """{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}""", 4, null, "overflows" },
    };

    [Theory]
    [MemberData(nameof(CorruptCases))]
    public void Corrupt_or_hostile_files_give_a_clear_error_naming_the_file(string name, string header, int dataBytes, long? declared, string expected)
    {
        string path;
        if (dataBytes < 0)
        {
            path = PathOf(name);
            File.WriteAllBytes(path, [1, 2, 3]);
        }
        else
        {
            path = WriteRaw(name, header, dataBytes, declared);
        }
        var e = Should.Throw<SafetensorsFormatException>(() => SafetensorsFile.Open(path).Dispose());
        e.Message.ShouldContain(path);
        e.Message.ShouldContain(expected);
    }

    [Fact]
    public void Truncating_a_valid_file_is_detected()
    {
        string path = PathOf("t.safetensors");
        SafetensorsWriter.Write(path, [SafetensorsTensor.FromFloats("w", [64], new float[64])]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        Should.Throw<SafetensorsFormatException>(() => SafetensorsFile.Open(path).Dispose()).Message.ShouldContain("truncated");
    }

    [Fact]
    public void Reading_checks_dtype_and_destination_length()
    {
        string path = WriteRaw("i.safetensors", """{"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}""", 16);
        using var file = SafetensorsFile.Open(path);
        Should.Throw<SafetensorsFormatException>(() => file.ReadFloat32("ids")).Message.ShouldContain("I64");
        Should.Throw<SafetensorsFormatException>(() => file.ReadFloat32("missing")).Message.ShouldContain("missing");
        string f = PathOf("f.safetensors");
        SafetensorsWriter.Write(f, [SafetensorsTensor.FromFloats("w", [4], new float[4])]);
        using var ok = SafetensorsFile.Open(f);
        Should.Throw<SafetensorsFormatException>(() => ok.ReadFloat32("w", new float[3])).Message.ShouldContain("4 elements");
    }

    [Fact]
    public void Sharded_directories_are_read_through_the_index_and_checked()
    {
        SafetensorsWriter.Write(PathOf("model-00001-of-00002.safetensors"), [SafetensorsTensor.FromFloats("a", [2], [1f, 2f])]);
        SafetensorsWriter.Write(PathOf("model-00002-of-00002.safetensors"), [SafetensorsTensor.FromFloats("b", [1], [3f])]);
        File.WriteAllText(PathOf(SafetensorsDirectory.IndexFileName),
            """{"metadata":{"total_size":12},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}}""");
        using (var dir = SafetensorsDirectory.Open(_dir))
        {
            dir.TensorNames.ShouldBe(["a", "b"]);
            var b = new float[1];
            dir.ReadFloat32("b", b);
            b[0].ShouldBe(3f);
        }
        File.WriteAllText(PathOf(SafetensorsDirectory.IndexFileName), """{"weight_map":{"a":"model-00002-of-00002.safetensors"}}""");
        Should.Throw<SafetensorsFormatException>(() => SafetensorsDirectory.Open(_dir).Dispose()).Message.ShouldContain("does not contain");
        File.WriteAllText(PathOf(SafetensorsDirectory.IndexFileName), """{"weight_map":{"a":"../escape.safetensors"}}""");
        Should.Throw<SafetensorsFormatException>(() => SafetensorsDirectory.Open(_dir).Dispose()).Message.ShouldContain("plain file name");
        File.Delete(PathOf(SafetensorsDirectory.IndexFileName));
        Should.Throw<SafetensorsFormatException>(() => SafetensorsDirectory.Open(_dir).Dispose()).Message.ShouldContain("no model.safetensors");
    }
}
