using Retain.Kernel.Formats.Safetensors;
using Retain.Kernel.Models;
using Retain.Kernel.Training;
using Retain.Training;
using static Retain.Kernel.Tests.Reference.Numerics;

namespace Retain.Kernel.Tests.Training;

public sealed class LowRankTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("retain-lora").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] AllModules = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>A LoRA strategy as a plugin would write it.</summary>
    private sealed class LoraAdapter(LowRankSpec spec) : IModelAdapter
    {
        public int ExportedModules { get; private set; }

        public void Configure(IAdapterBuilder builder)
        {
            builder.LinearModules.ShouldBe(AllModules);
            builder.FreezeBaseModel();
            builder.AddLowRank(spec);
        }

        public void Export(IAdapterExport export)
        {
            ExportedModules = export.LowRankModules.Count;
            export.WriteSafetensors("adapter_model.safetensors",
                export.LowRankModules.SelectMany(m => new[] { m.A with { Name = "base_model.model." + m.Module + ".lora_A.weight" }, m.B with { Name = "base_model.model." + m.Module + ".lora_B.weight" } }).ToArray());
        }
    }

    private static float[] Logits(TransformerModel model, ForwardBatch batch)
    {
        model.Forward(batch, training: false);
        var logits = new float[batch.ScoredTokens.Length * model.Config.VocabSize];
        model.ReadLogits(logits);
        return logits;
    }

    [Fact]
    public void Fresh_adapters_leave_the_function_unchanged_and_a_is_kaiming_uniform()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Stories, backend);
        var batch = TrainingTestData.AllPositions(BatchBuilder.Pad(TrainingTestData.Sequences(2, 512, 3)));
        var before = Logits(model, batch);
        model.AddLowRank(new LowRankSpec(AllModules, 4, 8, 0, 42));
        ShouldBeBitwiseEqual(Logits(model, batch), before, "logits with B = 0");
        var a = model.Parameters["model.layers.2.mlp.down_proj.lora_A.weight"];
        a.Shape.ShouldBe([4, 172]);
        var values = model.Parameters.ReadHost(a);
        double bound = 1 / Math.Sqrt(172);
        values.ShouldAllBe(v => Math.Abs(v) <= bound);
        values.Max().ShouldBeGreaterThan((float)(0.8 * bound));
        model.Parameters.ReadHost(model.Parameters["model.layers.2.mlp.down_proj.lora_B.weight"]).ShouldAllBe(v => v == 0);
        Should.Throw<ArgumentException>(() => model.AddLowRank(new LowRankSpec(["qkv"], 4, 8, 0, 1))).Message.ShouldContain("q_proj");
    }

    [Fact]
    public void Adapter_gradients_are_the_chain_rule_of_the_merged_weight_gradient()
    {
        var fixture = Models.ReferenceFixture.Load("qwen2");
        using var backend = TrainingTestData.Backend();
        using var lora = Checkpoint.Load(fixture.ModelDirectory, backend);
        const int rank = 3;
        const float alpha = 6;
        lora.AddLowRank(new LowRankSpec(AllModules, rank, alpha, 0, 7));
        lora.FreezeBaseModel();
        var rng = new Random(5);
        foreach (var t in lora.Parameters.Tensors.Where(t => t.Kind == ParameterKind.LoraB))
        {
            backend.Upload(Enumerable.Range(0, (int)t.Length).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray(), t.Value);
        }
        string merged = Path.Combine(_dir, "merged");
        Checkpoint.Save(lora, merged, fixture.ModelDirectory);
        using var full = Checkpoint.Load(merged, backend);

        var batch = fixture.TrainingBatch();
        foreach (var m in new[] { lora, full })
        {
            m.Parameters.EnsureGradients();
            m.Parameters.ZeroGradients();
            m.Forward(batch, training: true);
            m.Backward(fixture.Coefficients);
        }
        lora.Parameters["model.layers.0.self_attn.q_proj.weight"].Gradient.IsNone.ShouldBeTrue("the base is frozen");
        float s = alpha / rank;
        foreach (var module in lora.Parameters.Tensors.Where(t => t.Kind == ParameterKind.LoraA).Select(t => t.Name[..^".lora_A.weight".Length]))
        {
            var w = full.Parameters[module + ".weight"];
            int outF = w.Shape[0], inF = w.Shape[1];
            var dW = Down(backend, w.Gradient);
            var a = lora.Parameters.ReadHost(lora.Parameters[module + ".lora_A.weight"]);
            var b = lora.Parameters.ReadHost(lora.Parameters[module + ".lora_B.weight"]);
            var expectedA = new double[rank * inF];
            var expectedB = new double[outF * rank];
            for (int o = 0; o < outF; o++)
                for (int k = 0; k < rank; k++)
                    for (int i = 0; i < inF; i++)
                    {
                        expectedA[k * inF + i] += s * b[o * rank + k] * dW[o * inF + i];
                        expectedB[o * rank + k] += s * dW[o * inF + i] * a[k * inF + i];
                    }
            RelativeError(Down(backend, lora.Parameters[module + ".lora_A.weight"].Gradient), expectedA).ShouldBeLessThan(1e-4, module + " A");
            RelativeError(Down(backend, lora.Parameters[module + ".lora_B.weight"].Gradient), expectedB).ShouldBeLessThan(1e-4, module + " B");
        }
    }

    private static float[] Down(Retain.Kernel.Backends.IBackend b, Retain.Kernel.Backends.BufferView<float> v)
    {
        var x = new float[v.Length];
        b.Download(v, x);
        return x;
    }

    [Fact]
    public void Lora_training_moves_only_adapters_exports_them_and_saves_merged_weights()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Stories, backend);
        var baseValues = model.Parameters.Tensors.ToDictionary(t => t.Name, t => model.Parameters.ReadHost(t));
        var adapter = new LoraAdapter(new LowRankSpec(["q_proj", "v_proj", "down_proj"], 4, 16, 0.1f, 3));
        var batch = BatchBuilder.Pad(TrainingTestData.Sequences(4, 512, 6));
        using var session = new TrainingSession(model, new TrainingOptions { LearningRate = 5e-3, TotalSteps = 5 }, [adapter]);
        double first = session.Step([batch]).Loss, last = 0;
        for (int i = 0; i < 4; i++) last = session.Step([batch]).Loss;
        last.ShouldBeLessThan(first);
        foreach (var (name, values) in baseValues) ShouldBeBitwiseEqual(model.Parameters.ReadHost(model.Parameters[name]), values, name);

        session.ExportAdapters(_dir, TrainingTestData.Stories);
        adapter.ExportedModules.ShouldBe(15);
        using (var exported = SafetensorsFile.Open(Path.Combine(_dir, "adapter_model.safetensors")))
        {
            exported["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"].Shape.ShouldBe([4L, 64L]);
            exported["base_model.model.model.layers.4.mlp.down_proj.lora_B.weight"].Shape.ShouldBe([64L, 4L]);
        }

        string merged = Path.Combine(_dir, "merged");
        Checkpoint.Save(model, merged, TrainingTestData.Stories);
        using var reloaded = Checkpoint.Load(merged, backend);
        reloaded.Parameters.Tensors.Count.ShouldBe(baseValues.Count);
        var all = TrainingTestData.AllPositions(batch);
        RelativeError(Logits(reloaded, all), ToDouble(Logits(model, all))).ShouldBeLessThan(1e-5);
    }

    [Fact]
    public void Dropout_changes_the_training_forward_only()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Stories, backend);
        model.AddLowRank(new LowRankSpec(["up_proj"], 2, 4, 0.5f, 1));
        foreach (var t in model.Parameters.Tensors.Where(t => t.Kind == ParameterKind.LoraB)) backend.Fill(t.Value, 0.3f);
        var batch = BatchBuilder.Pad(TrainingTestData.Sequences(2, 512, 4)).Inputs;
        float[] Nll(bool training, ulong seed)
        {
            model.Forward(batch, training, seed);
            var nll = new float[batch.ScoredTokens.Length];
            model.ReadNll(nll);
            return nll;
        }
        var inference = Nll(false, 0);
        ShouldBeBitwiseEqual(Nll(false, 9), inference, "inference ignores the seed");
        var a = Nll(true, 1);
        ShouldBeBitwiseEqual(Nll(true, 1), a, "same seed, same mask");
        a.SequenceEqual(inference).ShouldBeFalse();
        Nll(true, 2).SequenceEqual(a).ShouldBeFalse();
    }
}
