namespace Retain.Training;

/// <summary>
/// A training strategy: a class implementing one or more of the role interfaces below. One instance is created per
/// training run with its bound options, so a strategy may keep state across steps (FLOW keeps its weights).
/// <list type="bullet">
/// <item><see cref="ITokenObjective"/>: per-token loss terms and their derivatives (standard, TALR, DFT, KL, FLOW).</item>
/// <item><see cref="IGradientRegularizer"/>: parameter-space terms (L2 to the initial weights).</item>
/// <item><see cref="IModelAdapter"/>: which parameters train and how the forward changes (LoRA).</item>
/// <item><see cref="IPretrainingPass"/>: a pass with the frozen initial model before training (FLOW).</item>
/// <item><see cref="IPostTrainingMerge"/>: checkpoints made from initial and fine-tuned weights (Wise-FT).</item>
/// </list>
/// </summary>
public interface ITrainingStrategy
{
    /// <summary>
    /// Refuses combinations that cannot work together. Called once at validation with every other strategy of the
    /// same run; returns a message when this strategy cannot be combined with them, otherwise null.
    /// </summary>
    string? CheckCompatibility(IReadOnlyList<ITrainingStrategy> others) => null;
}

/// <summary>The role names listed by <c>retain plugins</c>.</summary>
public static class StrategyRoles
{
    /// <summary>The roles a component type plays; empty when it is no strategy.</summary>
    public static IReadOnlyList<string> Of(Type type)
    {
        var roles = new List<string>();
        if (typeof(ITokenObjective).IsAssignableFrom(type)) roles.Add("token-objective");
        if (typeof(IGradientRegularizer).IsAssignableFrom(type)) roles.Add("gradient-regularizer");
        if (typeof(IModelAdapter).IsAssignableFrom(type)) roles.Add("model-adapter");
        if (typeof(IPretrainingPass).IsAssignableFrom(type)) roles.Add("pretraining-pass");
        if (typeof(IPostTrainingMerge).IsAssignableFrom(type)) roles.Add("post-training-merge");
        return roles;
    }
}
