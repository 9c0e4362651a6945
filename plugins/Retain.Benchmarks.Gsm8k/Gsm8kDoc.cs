using Retain.Evaluation;

namespace Retain.Benchmarks.Gsm8k;

/// <summary>One GSM8K problem: the question and the full answer (calculator annotations and <c>#### N</c> included).</summary>
public sealed record Gsm8kDoc(string Question, string Answer)
{
    /// <summary>Reads a GSM8K JSONL file (<c>question</c>, <c>answer</c>).</summary>
    public static List<Gsm8kDoc> Load(string path) =>
        DataFiles.ReadJsonl(path, (e, _) => new Gsm8kDoc(DataFiles.String(e, "question"), DataFiles.String(e, "answer")));

    /// <summary>Resolves a data path through the context and reads it.</summary>
    internal static List<Gsm8kDoc> Load(BenchmarkContext context, string relativePath) => Load(context.Data.Resolve(relativePath));
}
