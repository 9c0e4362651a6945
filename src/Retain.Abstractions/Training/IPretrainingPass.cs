namespace Retain.Training;

/// <summary>Runs once over the training set with the frozen initial model, before the first step (FLOW).</summary>
public interface IPretrainingPass : ITrainingStrategy
{
    /// <summary>Computes whatever the strategy needs; may read and write its cache.</summary>
    void Run(IPretrainingContext context);
}

/// <summary>What a pre-training pass can ask of the kernel.</summary>
public interface IPretrainingContext
{
    /// <summary>Training examples, indexed as <see cref="TokenBatch.Example"/> indexes them.</summary>
    int ExampleCount { get; }

    /// <summary>A hash of the initial weights and tokenizer.</summary>
    string ModelHash { get; }

    /// <summary>A hash of the tokenized training split (ids and supervision masks).</summary>
    string DataHash { get; }

    /// <summary>A directory for caches that survive runs; shared by runs of a sweep.</summary>
    string CacheDirectory { get; }

    /// <summary>
    /// The frozen initial model's NLL of every supervised token of every training example, in example order.
    /// </summary>
    IReadOnlyList<float[]> ScoreTrainingSet(IProgress<double>? progress = null);

    /// <summary>Records a metric once, at step 0.</summary>
    IMetricSink Metrics { get; }
}
