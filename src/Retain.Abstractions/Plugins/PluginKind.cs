namespace Retain.Plugins;

/// <summary>What a named component does. Derived from the interface the component implements.</summary>
public enum PluginKind
{
    /// <summary>A training strategy: token objective, gradient regularizer, model adapter, pre-training pass or merge.</summary>
    Strategy,
    /// <summary>A domain dataset with its splits and domain evaluator.</summary>
    Dataset,
    /// <summary>A general-capability benchmark.</summary>
    Benchmark,
    /// <summary>Extracts a final answer from a generated response (for datasets scored by extracted answer).</summary>
    AnswerExtractor,
}
