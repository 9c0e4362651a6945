using Retain.Kernel.Models;

namespace Retain.Kernel.Training;

/// <summary>
/// A micro-batch ready for the model: the token grid plus, per scored (supervised) token, its sequence within the
/// batch, its position within its target and its training-example index (what <see cref="Retain.Training.TokenBatch"/> reports).
/// </summary>
public sealed class TrainingBatch
{
    internal TrainingBatch(ForwardBatch inputs, int sequenceCount, int[] tokenSequence, int[] tokenPosition, int[] tokenExample, int[] sequenceExample)
    {
        Inputs = inputs;
        SequenceCount = sequenceCount;
        TokenSequence = tokenSequence;
        TokenPosition = tokenPosition;
        TokenExample = tokenExample;
        SequenceExample = sequenceExample;
    }

    /// <summary>The model inputs.</summary>
    public ForwardBatch Inputs { get; }

    /// <summary>Sequences in the batch.</summary>
    public int SequenceCount { get; }

    /// <summary>Scored tokens.</summary>
    public int ScoredCount => Inputs.ScoredTokens.Length;

    /// <summary>Per scored token: sequence index within the batch.</summary>
    public int[] TokenSequence { get; }

    /// <summary>Per scored token: 0-based position within its sequence's supervised tokens.</summary>
    public int[] TokenPosition { get; }

    /// <summary>Per scored token: training-example index.</summary>
    public int[] TokenExample { get; }

    /// <summary>Per sequence: training-example index.</summary>
    public int[] SequenceExample { get; }
}

/// <summary>Builds micro-batches from sequences, padded (one sequence per row) or packed (several per row, never attending across sequences).</summary>
public static class BatchBuilder
{
    /// <summary>One row per sequence, right-padded with <paramref name="padId"/> to the longest (or <paramref name="length"/>).</summary>
    public static TrainingBatch Pad(IReadOnlyList<TrainingSequence> sequences, int padId = 0, int? length = null)
    {
        if (sequences.Count == 0) throw new ArgumentException("A batch needs at least one sequence.");
        int t = length ?? sequences.Max(s => s.Length);
        foreach (var s in sequences)
        {
            s.Validate();
            if (s.Length > t) throw new ArgumentException($"Example {s.ExampleIndex} has {s.Length} tokens, more than the row length {t}.");
        }
        return Build(sequences.Select(s => new[] { s }).ToArray(), t, padId);
    }

    /// <summary>
    /// Packs sequences in order into rows of <paramref name="rowLength"/> tokens (a sequence goes to the next row when it
    /// does not fit), <paramref name="rowsPerBatch"/> rows per micro-batch. Each sequence keeps its own rotary positions
    /// and attends only to itself. A sequence longer than a row is an error naming its example.
    /// </summary>
    public static IReadOnlyList<TrainingBatch> Pack(IReadOnlyList<TrainingSequence> sequences, int rowLength, int rowsPerBatch, int padId = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rowLength, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowsPerBatch, 1);
        var rows = new List<TrainingSequence[]>();
        var current = new List<TrainingSequence>();
        int used = 0;
        foreach (var s in sequences)
        {
            s.Validate();
            if (s.Length > rowLength) throw new ArgumentException($"Example {s.ExampleIndex} has {s.Length} tokens, more than the packed row length {rowLength}.");
            if (used + s.Length > rowLength)
            {
                rows.Add(current.ToArray());
                current.Clear();
                used = 0;
            }
            current.Add(s);
            used += s.Length;
        }
        if (current.Count > 0) rows.Add(current.ToArray());
        var batches = new List<TrainingBatch>();
        for (int i = 0; i < rows.Count; i += rowsPerBatch) batches.Add(Build(rows.Skip(i).Take(rowsPerBatch).ToArray(), rowLength, padId));
        return batches;
    }

    private static TrainingBatch Build(TrainingSequence[][] rows, int length, int padId)
    {
        int n = rows.Length * length;
        var ids = new int[n];
        var positions = new int[n];
        var starts = new int[n];
        var scored = new List<int>();
        var targets = new List<int>();
        var tokenSequence = new List<int>();
        var tokenPosition = new List<int>();
        var tokenExample = new List<int>();
        var sequenceExample = new List<int>();
        int sequence = 0;
        for (int r = 0; r < rows.Length; r++)
        {
            int start = 0;
            foreach (var s in rows[r])
            {
                int position = 0;
                for (int t = 0; t < s.Length; t++)
                {
                    int i = r * length + start + t;
                    ids[i] = s.Ids[t];
                    positions[i] = t;
                    starts[i] = start;
                    if (t + 1 < s.Length && s.Supervised[t + 1])
                    {
                        scored.Add(i);
                        targets.Add(s.Ids[t + 1]);
                        tokenSequence.Add(sequence);
                        tokenPosition.Add(position++);
                        tokenExample.Add(s.ExampleIndex);
                    }
                }
                sequenceExample.Add(s.ExampleIndex);
                sequence++;
                start += s.Length;
            }
            // The rest of the row is padding: a document of its own, never attended by real tokens.
            for (int t = start; t < length; t++)
            {
                int i = r * length + t;
                ids[i] = padId;
                positions[i] = t - start;
                starts[i] = start;
            }
        }
        var inputs = new ForwardBatch(rows.Length, length, ids, positions, starts, scored.ToArray(), targets.ToArray());
        return new TrainingBatch(inputs, sequence, tokenSequence.ToArray(), tokenPosition.ToArray(), tokenExample.ToArray(), sequenceExample.ToArray());
    }
}
