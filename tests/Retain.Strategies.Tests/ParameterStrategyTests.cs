using Retain.Strategies.L2;
using Retain.Strategies.Lora;
using Retain.Strategies.WiseFt;
using Retain.Training;

namespace Retain.Strategies.Tests;

public class ParameterStrategyTests
{
    [Fact]
    public void L2_mean_adds_two_lambda_times_the_distance_over_P_and_returns_the_value()
    {
        var space = new ArrayParameterSpace([[1f, 2f], [3f]], [[0f, 2f], [1f]]); // θ−θ0 = [1, 0], [2]; P = 3
        var metrics = new RecordingSink();

        double value = new L2ToInitial(new L2Options { Lambda = 0.3 }).Apply(space, metrics);

        value.ShouldBe(0.3 * 5 / 3, 1e-7);
        space.Gradients[0].ShouldBe([2 * 0.1f * 1, 0f], 1e-7f);
        space.Gradients[1].ShouldBe([2 * 0.1f * 2], 1e-7f);
        metrics.Values["distance"].ShouldBe(Math.Sqrt(5), 1e-12);
    }

    [Fact]
    public void L2_sum_gradient_is_two_lambda_times_the_distance()
    {
        var space = new ArrayParameterSpace([[1f, 2f], [3f]], [[0f, 2f], [1f]]);
        double value = new L2ToInitial(new L2Options { Lambda = 0.3, Reduction = L2Reduction.Sum }).Apply(space, new RecordingSink());
        value.ShouldBe(1.5, 1e-7);
        space.Gradients[0].ShouldBe([0.6f, 0f], 1e-7f);
        space.Gradients[1].ShouldBe([1.2f], 1e-7f);
    }

    [Fact]
    public void WiseFt_alpha_zero_is_the_initial_model_and_one_the_fine_tuned()
    {
        var context = new RecordingMergeContext();
        new WiseFtMerge(new WiseFtOptions { Alphas = [0, 0.25, 1] }).Merge(context);

        context.Candidates.Keys.ShouldBe(["alpha=0.00", "alpha=0.25", "alpha=1.00"]);
        float[] initial = [1.5f, -2f, 0.1f], tuned = [0.3f, 4f, 0.7f];
        context.Apply("alpha=0.00", initial, tuned).ShouldBe(initial);
        context.Apply("alpha=1.00", initial, tuned).ShouldBe(tuned);
        context.Apply("alpha=0.25", initial, tuned).ShouldBe([1.2f, -0.5f, 0.25f], 1e-6f);
    }

    [Fact]
    public void Lora_configures_the_kernel_and_exports_a_peft_adapter()
    {
        var builder = new RecordingAdapterBuilder();
        var lora = new LoraAdapter(new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0.1, TargetModules = ["q_proj", "v_proj"] });

        lora.Configure(builder);

        builder.Frozen.ShouldBeTrue();
        var spec = builder.Specs.ShouldHaveSingleItem();
        spec.TargetModules.ShouldBe(["q_proj", "v_proj"]);
        (spec.Rank, spec.Alpha, spec.Dropout, spec.Seed).ShouldBe((4, 8f, 0.1f, 7));

        using var temp = new Retain.Testing.TempFolder();
        var export = new RecordingExport(temp.Path);
        lora.Export(export);
        export.Written.ShouldBe("adapter_model.safetensors");
        export.Tensors.Select(t => t.Name).ShouldBe(["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"]);
        using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Path, "adapter_config.json")));
        config.RootElement.GetProperty("peft_type").GetString().ShouldBe("LORA");
        config.RootElement.GetProperty("r").GetInt32().ShouldBe(4);
        config.RootElement.GetProperty("lora_alpha").GetDouble().ShouldBe(8);
        config.RootElement.GetProperty("target_modules").EnumerateArray().Select(e => e.GetString()).ShouldBe(["q_proj", "v_proj"]);
        config.RootElement.GetProperty("base_model_name_or_path").GetString().ShouldBe("/models/base");
    }

    [Fact]
    public void Lora_all_linear_targets_every_linear_module_and_unknown_modules_are_refused()
    {
        var builder = new RecordingAdapterBuilder();
        new LoraAdapter(new LoraOptions()).Configure(builder);
        builder.Specs.Single().TargetModules.ShouldBe(builder.LinearModules);

        var error = Should.Throw<ArgumentException>(() => new LoraAdapter(new LoraOptions { TargetModules = ["qkv"] }).Configure(new RecordingAdapterBuilder()));
        error.Message.ShouldBe("lora: target module(s) qkv do not exist in this model; its linear modules are q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj.");
    }

    private sealed class RecordingMergeContext : IMergeContext
    {
        public Dictionary<string, TensorMerge> Candidates { get; } = [];

        public void AddCandidate(string label, TensorMerge merge) => Candidates.Add(label, merge);

        public float[] Apply(string label, float[] initial, float[] tuned)
        {
            var result = new float[initial.Length];
            Candidates[label]("t", initial, tuned, result);
            return result;
        }
    }

    private sealed class RecordingAdapterBuilder : IAdapterBuilder
    {
        public IReadOnlyList<string> LinearModules { get; } = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];
        public int LayerCount => 2;
        public int Seed => 7;
        public bool Frozen { get; private set; }
        public List<LowRankSpec> Specs { get; } = [];
        public void FreezeBaseModel() => Frozen = true;
        public void AddLowRank(LowRankSpec spec) => Specs.Add(spec);
    }

    private sealed class RecordingExport(string directory) : IAdapterExport
    {
        public string Directory => directory;
        public string BaseModelPath => "/models/base";
        public IReadOnlyList<LowRankTensors> LowRankModules { get; } =
        [
            new("model.layers.0.self_attn.q_proj", 1, 2, new NamedTensor("A", [1, 2], [1, 2]), new NamedTensor("B", [2, 1], [3, 4])),
        ];
        public string? Written { get; private set; }
        public List<NamedTensor> Tensors { get; } = [];
        public void WriteSafetensors(string fileName, IReadOnlyList<NamedTensor> tensors)
        {
            Written = fileName;
            Tensors.AddRange(tensors);
        }
    }
}
