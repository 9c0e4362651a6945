using Retain.Kernel.Models;

namespace Retain.Kernel.Inference;

/// <summary>A continuation's score.</summary>
/// <param name="LogLikelihood">Σ log p of the continuation tokens (nats).</param>
/// <param name="IsGreedy">Whether every continuation token was the argmax.</param>
/// <param name="TokenCount">Continuation tokens scored.</param>
public readonly record struct ContinuationScore(double LogLikelihood, bool IsGreedy, int TokenCount);

/// <summary>
/// Log-probabilities of given tokens under the model, batched (one padded row per sequence, longest first, up to a
/// token budget per forward).
/// </summary>
public sealed class Scorer(TransformerModel model, int tokensPerBatch = 4096)
{
    /// <summary>log p(ids[t] | ids[..t]) for every t ≥ 1 of each sequence; entry 0 is NaN (no prediction for the first token).</summary>
    public IReadOnlyList<float[]> TokenLogProbs(IReadOnlyList<int[]> sequences)
    {
        foreach (var s in sequences)
        {
            if (s.Length == 0) throw new ArgumentException("Cannot score an empty sequence.");
            if (s.Length > model.MaxPositions) throw new ArgumentException($"A sequence of {s.Length} tokens exceeds the model's {model.MaxPositions} positions.");
        }
        var (nll, _) = Run(sequences, sequences.Select(_ => 1).ToArray());
        return nll.Select(row =>
        {
            var lp = new float[row.Length + 1];
            lp[0] = float.NaN;
            for (int i = 0; i < row.Length; i++) lp[i + 1] = -row[i];
            return lp;
        }).ToArray();
    }

    /// <summary>
    /// The JSON line <c>retain score</c> prints: <c>{"ids": [...], "logprobs": [null, ...]}</c> (null for the first
    /// token, which nothing predicts).
    /// </summary>
    public static string FormatJson(ReadOnlySpan<int> ids, ReadOnlySpan<float> logProbs)
    {
        if (ids.Length != logProbs.Length) throw new ArgumentException("ids and logprobs must have the same length.");
        var text = new System.Text.StringBuilder("{\"ids\": [");
        for (int i = 0; i < ids.Length; i++) text.Append(i == 0 ? "" : ", ").Append(ids[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
        text.Append("], \"logprobs\": [");
        for (int i = 0; i < logProbs.Length; i++)
        {
            if (i > 0) text.Append(", ");
            text.Append(float.IsNaN(logProbs[i]) ? "null" : logProbs[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.Append("]}").ToString();
    }

    /// <summary>
    /// log p(continuation | context) for token-level requests, lm-eval style: the input is the last
    /// <c>max positions + 1</c> tokens of context + continuation without its final token; the context must be non-empty.
    /// </summary>
    public IReadOnlyList<ContinuationScore> Continuations(IReadOnlyList<(int[] Context, int[] Continuation)> requests)
    {
        var sequences = new int[requests.Count][];
        var first = new int[requests.Count];
        for (int i = 0; i < requests.Count; i++)
        {
            var (context, continuation) = requests[i];
            if (context.Length == 0) throw new ArgumentException($"Request {i}: the context needs at least one token (BOS for an empty text).");
            if (continuation.Length == 0) throw new ArgumentException($"Request {i}: the continuation is empty.");
            if (continuation.Length > model.MaxPositions) throw new ArgumentException($"Request {i}: a continuation of {continuation.Length} tokens exceeds the model's {model.MaxPositions} positions.");
            var whole = context.Concat(continuation).ToArray();
            if (whole.Length > model.MaxPositions + 1) whole = whole[^(model.MaxPositions + 1)..];
            // The final token is only a target; the forward input is whole[..^1], which the padded row handles.
            sequences[i] = whole;
            first[i] = whole.Length - continuation.Length;
        }
        var (nll, argmax) = Run(sequences, first, dropLastInput: true);
        var scores = new ContinuationScore[requests.Count];
        for (int i = 0; i < requests.Count; i++)
        {
            double sum = 0;
            bool greedy = true;
            for (int j = 0; j < nll[i].Length; j++)
            {
                sum -= nll[i][j];
                greedy &= argmax[i][j] != 0;
            }
            scores[i] = new ContinuationScore(sum, greedy, nll[i].Length);
        }
        return scores;
    }

    /// <summary>NLL and argmax flags of tokens first..end of each sequence.</summary>
    private (float[][] Nll, int[][] Argmax) Run(IReadOnlyList<int[]> sequences, int[] first, bool dropLastInput = false)
    {
        var nll = new float[sequences.Count][];
        var argmax = new int[sequences.Count][];
        var order = Enumerable.Range(0, sequences.Count).OrderByDescending(i => sequences[i].Length).ToArray();
        int position = 0;
        while (position < order.Length)
        {
            int longest = Math.Max(1, sequences[order[position]].Length - (dropLastInput ? 1 : 0));
            int rows = Math.Max(1, Math.Min(order.Length - position, tokensPerBatch / longest));
            var members = order.Skip(position).Take(rows).ToArray();
            position += rows;

            var ids = new int[rows * longest];
            var positions = new int[rows * longest];
            var starts = new int[rows * longest];
            var scored = new List<int>();
            var targets = new List<int>();
            for (int r = 0; r < rows; r++)
            {
                var s = sequences[members[r]];
                int inputLength = s.Length - (dropLastInput ? 1 : 0);
                for (int t = 0; t < longest; t++)
                {
                    int i = r * longest + t;
                    ids[i] = t < inputLength ? s[t] : 0;
                    positions[i] = t < inputLength ? t : t - inputLength;
                    starts[i] = t < inputLength ? 0 : inputLength;
                }
                for (int t = Math.Max(1, first[members[r]]); t < s.Length; t++)
                {
                    scored.Add(r * longest + t - 1);
                    targets.Add(s[t]);
                }
            }
            var batch = new ForwardBatch(rows, longest, ids, positions, starts, scored.ToArray(), targets.ToArray());
            model.Forward(batch, training: false);
            var batchNll = new float[scored.Count];
            var batchArgmax = new int[scored.Count];
            if (scored.Count > 0)
            {
                model.ReadNll(batchNll);
                model.ReadIsArgmax(batchArgmax);
            }
            int k = 0;
            for (int r = 0; r < rows; r++)
            {
                var s = sequences[members[r]];
                int count = s.Length - Math.Max(1, first[members[r]]);
                nll[members[r]] = batchNll.AsSpan(k, count).ToArray();
                argmax[members[r]] = batchArgmax.AsSpan(k, count).ToArray();
                k += count;
            }
        }
        return (nll, argmax);
    }
}
