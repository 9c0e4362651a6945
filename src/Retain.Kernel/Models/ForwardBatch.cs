namespace Retain.Kernel.Models;

/// <summary>
/// The token grid one forward pass runs on: <see cref="Rows"/> rows of <see cref="Length"/> tokens (padded or
/// packed), each token's id, rotary position and the first key it may attend (the start of its document within the
/// row, which keeps packed documents apart), and the positions whose next-token prediction is scored.
/// </summary>
public sealed class ForwardBatch
{
    /// <summary>Creates a batch; arrays are rows × length, supervision lists are parallel.</summary>
    public ForwardBatch(int rows, int length, int[] ids, int[] positions, int[] documentStart, int[] scoredTokens, int[] targets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        int n = rows * length;
        if (ids.Length != n || positions.Length != n || documentStart.Length != n)
        {
            throw new ArgumentException($"Ids, positions and document starts must each hold rows × length = {n} entries.");
        }
        if (scoredTokens.Length != targets.Length) throw new ArgumentException("Scored tokens and targets must have the same length.");
        for (int i = 0; i < n; i++)
        {
            int t = i % length;
            if (documentStart[i] < 0 || documentStart[i] > t) throw new ArgumentException($"Token {t} of row {i / length} has document start {documentStart[i]} outside [0, {t}].");
        }
        for (int i = 0; i < scoredTokens.Length; i++)
        {
            if ((uint)scoredTokens[i] >= (uint)n) throw new ArgumentException($"Scored token index {scoredTokens[i]} is outside the {n} tokens.");
        }
        Rows = rows;
        Length = length;
        Ids = ids;
        Positions = positions;
        DocumentStart = documentStart;
        ScoredTokens = scoredTokens;
        Targets = targets;
    }

    /// <summary>Rows.</summary>
    public int Rows { get; }

    /// <summary>Tokens per row.</summary>
    public int Length { get; }

    /// <summary>Tokens in the grid.</summary>
    public int TokenCount => Rows * Length;

    /// <summary>Token ids (padding uses any valid id; it is never attended by real tokens nor scored).</summary>
    public int[] Ids { get; }

    /// <summary>Rotary positions (restart at 0 for each packed document).</summary>
    public int[] Positions { get; }

    /// <summary>Row-relative index of the first token of each token's document.</summary>
    public int[] DocumentStart { get; }

    /// <summary>Grid indices whose next token is scored, in order (sequence by sequence, position by position).</summary>
    public int[] ScoredTokens { get; }

    /// <summary>The token each scored position must predict.</summary>
    public int[] Targets { get; }
}
