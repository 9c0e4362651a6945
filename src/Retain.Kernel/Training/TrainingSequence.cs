namespace Retain.Kernel.Training;

/// <summary>
/// One tokenized training example: token ids and, per token, whether it is a target (supervised; prompt tokens are
/// not). Token t is predicted from tokens 0..t−1, so a supervised first token cannot be scored and is ignored.
/// </summary>
/// <param name="Ids">Token ids (at least 2).</param>
/// <param name="Supervised">Per token: part of the target.</param>
/// <param name="ExampleIndex">Index of the example in the training split (stable across epochs and resumes).</param>
public sealed record TrainingSequence(int[] Ids, bool[] Supervised, int ExampleIndex)
{
    /// <summary>Tokens.</summary>
    public int Length => Ids.Length;

    /// <summary>Supervised tokens that can be scored (positions ≥ 1).</summary>
    public int ScoredCount
    {
        get
        {
            int n = 0;
            for (int t = 1; t < Supervised.Length; t++) n += Supervised[t] ? 1 : 0;
            return n;
        }
    }

    /// <summary>Checks lengths; throws naming the example.</summary>
    public void Validate()
    {
        if (Ids.Length != Supervised.Length) throw new ArgumentException($"Example {ExampleIndex}: {Ids.Length} ids but {Supervised.Length} supervision flags.");
        if (Ids.Length < 2) throw new ArgumentException($"Example {ExampleIndex}: a training sequence needs at least 2 tokens, not {Ids.Length}.");
    }
}
