using Retain.Training;

namespace Retain.Kernel.Training;

/// <summary>
/// A metric sink that gives each strategy a sink of its own, so a log can attribute metrics to the strategy that
/// recorded them. <see cref="TrainingSession.Step"/> uses it when the sink it is given implements it.
/// </summary>
public interface IStrategyMetricSinks
{
    /// <summary>The sink for one strategy's metrics.</summary>
    IMetricSink For(ITrainingStrategy strategy);
}
