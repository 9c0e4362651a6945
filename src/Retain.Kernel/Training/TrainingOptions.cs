namespace Retain.Kernel.Training;

/// <summary>Shape of the learning-rate schedule.</summary>
public enum LearningRateScheduleKind
{
    /// <summary>Linear warmup, then half a cosine down to <see cref="TrainingOptions.MinLearningRateRatio"/>·lr (Hugging Face <c>cosine</c>).</summary>
    Cosine,
    /// <summary>Linear warmup, then linear decay to the minimum.</summary>
    Linear,
    /// <summary>Linear warmup, then constant.</summary>
    Constant,
}

/// <summary>Optimizer and schedule settings of a training run.</summary>
public sealed record TrainingOptions
{
    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 1e-5;

    /// <summary>Optimizer steps of the whole run (the schedule's horizon).</summary>
    public int TotalSteps { get; init; } = 1;

    /// <summary>Warmup steps (linear from 0).</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Schedule shape.</summary>
    public LearningRateScheduleKind Schedule { get; init; } = LearningRateScheduleKind.Cosine;

    /// <summary>Final learning rate as a fraction of the peak.</summary>
    public double MinLearningRateRatio { get; init; }

    /// <summary>AdamW β1.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>AdamW β2.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>AdamW ε.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Decoupled weight decay (not applied to norms and biases).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Global gradient-norm clipping threshold; 0 disables clipping.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>The run's seed: handed to adapters (<see cref="Retain.Training.IAdapterBuilder.Seed"/>) and seeding LoRA dropout masks.</summary>
    public int Seed { get; init; } = 1234;

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> naming the setting.</summary>
    public void Validate()
    {
        if (!(LearningRate >= 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"LearningRate must be a finite number ≥ 0, not {LearningRate}.");
        if (TotalSteps < 1) throw new ArgumentException($"TotalSteps must be ≥ 1, not {TotalSteps}.");
        if (WarmupSteps < 0 || WarmupSteps > TotalSteps) throw new ArgumentException($"WarmupSteps must lie in [0, TotalSteps = {TotalSteps}], not {WarmupSteps}.");
        if (MinLearningRateRatio is < 0 or > 1) throw new ArgumentException($"MinLearningRateRatio must lie in [0, 1], not {MinLearningRateRatio}.");
        if (Beta1 is < 0 or >= 1) throw new ArgumentException($"Beta1 must lie in [0, 1), not {Beta1}.");
        if (Beta2 is < 0 or >= 1) throw new ArgumentException($"Beta2 must lie in [0, 1), not {Beta2}.");
        if (!(Epsilon > 0)) throw new ArgumentException($"Epsilon must be > 0, not {Epsilon}.");
        if (!(WeightDecay >= 0)) throw new ArgumentException($"WeightDecay must be ≥ 0, not {WeightDecay}.");
        if (!(MaxGradNorm >= 0)) throw new ArgumentException($"MaxGradNorm must be ≥ 0, not {MaxGradNorm}.");
    }

    /// <summary>The learning rate of optimizer step <paramref name="step"/> (0-based), as Hugging Face's schedulers compute it.</summary>
    public double LearningRateAt(int step)
    {
        if (step < WarmupSteps) return LearningRate * step / Math.Max(1, WarmupSteps);
        double progress = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        progress = Math.Clamp(progress, 0, 1);
        double factor = Schedule switch
        {
            LearningRateScheduleKind.Cosine => 0.5 * (1 + Math.Cos(Math.PI * progress)),
            LearningRateScheduleKind.Linear => 1 - progress,
            _ => 1,
        };
        return LearningRate * (MinLearningRateRatio + (1 - MinLearningRateRatio) * factor);
    }
}

/// <summary>What one optimizer step did.</summary>
/// <param name="Step">Steps completed after this one.</param>
/// <param name="Loss">Σ loss_i over every supervised token of the step (the objectives' total).</param>
/// <param name="RegularizerLoss">Σ of the gradient regularizers' values.</param>
/// <param name="GradNorm">Global gradient norm before clipping.</param>
/// <param name="LearningRate">Learning rate used.</param>
/// <param name="SupervisedTokens">N, the supervised tokens of the step.</param>
/// <param name="MeanNll">Mean ℓ_i over the step's supervised tokens.</param>
public readonly record struct StepResult(int Step, double Loss, double RegularizerLoss, double GradNorm, double LearningRate, int SupervisedTokens, double MeanNll);
