using Retain.Training;

namespace Retain.Kernel.Models;

public sealed partial class TransformerModel
{
    /// <summary>Marks every base parameter frozen (LoRA factors stay trainable).</summary>
    public void FreezeBaseModel()
    {
        foreach (var t in Parameters.Tensors)
        {
            if (t.Kind is not (ParameterKind.LoraA or ParameterKind.LoraB)) t.Trainable = false;
        }
        Parameters.InvalidateRuns();
    }

    /// <summary>
    /// Adds LoRA factors to the targeted linear modules of every layer: A [rank, in] Kaiming-uniform with a = √5
    /// (U(−1/√in, 1/√in), as PEFT) from <see cref="LowRankSpec.Seed"/>, B [out, rank] zero, so the model's function is
    /// unchanged until training moves B.
    /// </summary>
    public void AddLowRank(LowRankSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Rank < 1) throw new ArgumentException($"LoRA rank must be ≥ 1, not {spec.Rank}.");
        if (!(spec.Alpha > 0)) throw new ArgumentException($"LoRA alpha must be > 0, not {spec.Alpha}.");
        if (spec.Dropout is < 0 or >= 1) throw new ArgumentException($"LoRA dropout must lie in [0, 1), not {spec.Dropout}.");
        if (spec.TargetModules.Count == 0) throw new ArgumentException("LoRA needs at least one target module.");
        foreach (var module in spec.TargetModules)
        {
            if (!LinearModuleKinds.Contains(module)) throw new ArgumentException($"Unknown LoRA target '{module}'; the model's linear modules are {string.Join(", ", LinearModuleKinds)}.");
        }
        var targets = LinearModules.Where(m => spec.TargetModules.Contains(m.Kind)).ToArray();
        foreach (var m in targets)
        {
            if (m.Lora is not null) throw new InvalidOperationException($"{m.Name} already has a LoRA adapter.");
        }
        var definitions = targets.SelectMany(m => new[]
        {
            (m.Name + ".lora_A.weight", new[] { spec.Rank, m.In }, ParameterKind.LoraA),
            (m.Name + ".lora_B.weight", new[] { m.Out, spec.Rank }, ParameterKind.LoraB),
        }).ToArray();
        var created = Parameters.AddGroup(definitions);
        var random = new Random(spec.Seed);
        for (int i = 0; i < targets.Length; i++)
        {
            var a = created[2 * i];
            var b = created[2 * i + 1];
            double bound = 1 / Math.Sqrt(targets[i].In);
            var values = new float[a.Length];
            for (int j = 0; j < values.Length; j++) values[j] = (float)((random.NextDouble() * 2 - 1) * bound);
            Backend.Upload(values, a.Value);
            targets[i].Lora = new LowRankAdapter(a, b, spec.Rank, spec.Alpha, spec.Dropout);
        }
        ReleaseWorkspace();
        DisposeCacheWorkspace();
    }

    /// <summary>The LoRA factors of every adapted module (host copies), for export.</summary>
    public IReadOnlyList<LowRankTensors> ExportLowRank()
    {
        var list = new List<LowRankTensors>();
        foreach (var m in LinearModules)
        {
            if (m.Lora is not { } lora) continue;
            list.Add(new LowRankTensors(m.Name, lora.Rank, lora.Alpha,
                new NamedTensor(lora.A.Name, [lora.Rank, m.In], Parameters.ReadHost(lora.A)),
                new NamedTensor(lora.B.Name, [m.Out, lora.Rank], Parameters.ReadHost(lora.B))));
        }
        return list;
    }
}
