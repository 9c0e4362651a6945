using Retain.Kernel.Formats.Safetensors;
using Retain.Kernel.Models;
using Retain.Kernel.Tests.Training;
using Retain.Kernel.Training;
using static Retain.Kernel.Tests.Reference.Numerics;

namespace Retain.Kernel.Tests.Models;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("retain-ckpt").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static float[] Logits(TransformerModel model, ForwardBatch batch)
    {
        model.Forward(batch, training: false);
        var logits = new float[batch.ScoredTokens.Length * model.Config.VocabSize];
        model.ReadLogits(logits);
        return logits;
    }

    [Fact]
    public void A_saved_and_reloaded_fine_tuned_checkpoint_gives_identical_logits()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Stories, backend);
        var batch = BatchBuilder.Pad(TrainingTestData.Sequences(3, 512, 1));
        using (var session = new TrainingSession(model, new TrainingOptions { LearningRate = 1e-3, TotalSteps = 2 }))
        {
            session.Step([batch]);
            session.Step([batch]);
        }
        string target = Path.Combine(_dir, "ft");
        Checkpoint.Save(model, target, TrainingTestData.Stories);
        File.Exists(Path.Combine(target, "config.json")).ShouldBeTrue();
        File.Exists(Path.Combine(target, "tokenizer.json")).ShouldBeTrue();
        using (var file = SafetensorsFile.Open(Path.Combine(target, "model.safetensors")))
        using (var original = SafetensorsDirectory.Open(TrainingTestData.Stories))
        {
            file.Metadata["format"].ShouldBe("pt");
            file.Contains("lm_head.weight").ShouldBeFalse("tied embeddings are saved once, as transformers does");
            file.Tensors.Select(t => t.Name).ShouldBe(original.TensorNames.ToArray(), ignoreOrder: true);
        }
        using var reloaded = Checkpoint.Load(target, backend);
        var all = Training.TrainingTestData.AllPositions(batch);
        ShouldBeBitwiseEqual(Logits(reloaded, all), Logits(model, all), "logits after reload");

        // Saving again over the directory replaces it atomically.
        Checkpoint.Save(model, target, TrainingTestData.Stories, new CheckpointSaveOptions { DType = SafetensorsDType.BF16 });
        using var bf16 = SafetensorsFile.Open(Path.Combine(target, "model.safetensors"));
        bf16["model.norm.weight"].DType.ShouldBe(SafetensorsDType.BF16);
        Directory.GetDirectories(_dir).ShouldBe([target]);
    }

    [Fact]
    public void Large_checkpoints_are_sharded_with_an_index_and_load_back()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Stories, backend);
        string target = Path.Combine(_dir, "sharded");
        Checkpoint.Save(model, target, TrainingTestData.Stories, new CheckpointSaveOptions { MaxShardBytes = 300_000 });
        Directory.GetFiles(target, "model-*-of-*.safetensors").Length.ShouldBeGreaterThan(2);
        File.Exists(Path.Combine(target, SafetensorsDirectory.IndexFileName)).ShouldBeTrue();
        using var reloaded = Checkpoint.Load(target, backend);
        ShouldBeBitwiseEqual(TrainingTestData.AllValues(reloaded), TrainingTestData.AllValues(model), "sharded round trip");
    }

    [Fact]
    public void Missing_or_misshapen_tensors_are_named()
    {
        using var backend = TrainingTestData.Backend();
        string fixture = TrainingTestData.Fixture("qwen2");
        string broken = Path.Combine(_dir, "broken");
        Directory.CreateDirectory(broken);
        File.Copy(Path.Combine(fixture, "config.json"), Path.Combine(broken, "config.json"));
        using (var source = SafetensorsFile.Open(Path.Combine(fixture, "model.safetensors")))
        {
            var kept = source.Tensors.Where(t => t.Name != "model.layers.1.self_attn.k_proj.bias")
                .Select(t => SafetensorsTensor.FromFloats(t.Name, t.Shape, source.ReadFloat32(t.Name))).ToList();
            SafetensorsWriter.Write(Path.Combine(broken, "model.safetensors"), kept);
        }
        Should.Throw<ModelFormatException>(() => Checkpoint.Load(broken, backend)).Message.ShouldContain("model.layers.1.self_attn.k_proj.bias");

        using (var source = SafetensorsFile.Open(Path.Combine(fixture, "model.safetensors")))
        {
            var changed = source.Tensors.Select(t => t.Name == "model.norm.weight"
                ? SafetensorsTensor.FromFloats(t.Name, [16], new float[16])
                : SafetensorsTensor.FromFloats(t.Name, t.Shape, source.ReadFloat32(t.Name))).ToList();
            SafetensorsWriter.Write(Path.Combine(broken, "model.safetensors"), changed);
        }
        var e = Should.Throw<ModelFormatException>(() => Checkpoint.Load(broken, backend));
        e.Message.ShouldContain("model.norm.weight");
        e.Message.ShouldContain("[16]");
    }
}
