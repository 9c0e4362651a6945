namespace Retain.Kernel.Inference;

/// <summary>How the next token is chosen.</summary>
/// <param name="Temperature">0 = greedy (argmax, first index on ties).</param>
/// <param name="TopP">Nucleus mass in (0, 1]; 1 = off.</param>
/// <param name="Seed">Seed of this sequence's random stream (independent of batching).</param>
/// <param name="RepetitionPenalty">Hugging Face repetition penalty over prompt and generated ids (1 = off): a positive
/// logit of a seen token is divided by it, a negative one multiplied; applied before greedy or sampled choice.</param>
public sealed record SamplingOptions(double Temperature = 0, double TopP = 1, int Seed = 0, double RepetitionPenalty = 1)
{
    /// <summary>Greedy decoding.</summary>
    public static SamplingOptions Greedy { get; } = new();
}

/// <summary>Greedy and temperature / top-p sampling over one row of logits, Hugging Face semantics.</summary>
public sealed class Sampler
{
    private readonly SamplingOptions _options;
    private readonly Random _random;
    private float[] _probabilities = [];
    private int[] _order = [];

    /// <summary>Creates a sampler with its own seeded stream.</summary>
    public Sampler(SamplingOptions options)
    {
        if (options.Temperature < 0 || double.IsNaN(options.Temperature)) throw new ArgumentOutOfRangeException(nameof(options), "Temperature must be ≥ 0.");
        if (options.TopP is <= 0 or > 1 || double.IsNaN(options.TopP)) throw new ArgumentOutOfRangeException(nameof(options), "Top-p must lie in (0, 1].");
        if (!(options.RepetitionPenalty > 0)) throw new ArgumentOutOfRangeException(nameof(options), "The repetition penalty must be > 0.");
        _options = options;
        _random = new Random(options.Seed);
    }

    /// <summary>The index of the largest logit (first on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best]) best = i;
        }
        return best;
    }

    /// <summary>Applies the repetition penalty in place to the logits of <paramref name="seen"/> ids.</summary>
    public void Penalize(Span<float> logits, IReadOnlySet<int> seen)
    {
        if (_options.RepetitionPenalty == 1) return;
        float p = (float)_options.RepetitionPenalty;
        foreach (int id in seen)
        {
            if ((uint)id >= (uint)logits.Length) continue;
            logits[id] = logits[id] > 0 ? logits[id] / p : logits[id] * p;
        }
    }

    /// <summary>Whether a repetition penalty is set.</summary>
    public bool PenalizesRepetition => _options.RepetitionPenalty != 1;

    /// <summary>Chooses the next token.</summary>
    public int Next(ReadOnlySpan<float> logits)
    {
        if (_options.Temperature == 0) return ArgMax(logits);
        int v = logits.Length;
        if (_probabilities.Length < v)
        {
            _probabilities = new float[v];
            _order = new int[v];
        }
        var p = _probabilities.AsSpan(0, v);
        double inverseT = 1 / _options.Temperature;
        float max = float.NegativeInfinity;
        for (int i = 0; i < v; i++) max = Math.Max(max, logits[i]);
        double sum = 0;
        for (int i = 0; i < v; i++)
        {
            p[i] = (float)Math.Exp((logits[i] - max) * inverseT);
            sum += p[i];
        }
        for (int i = 0; i < v; i++) p[i] = (float)(p[i] / sum);

        var order = _order.AsSpan(0, v);
        for (int i = 0; i < v; i++) order[i] = i;
        int kept = v;
        if (_options.TopP < 1)
        {
            // Keep the most probable tokens until their mass reaches top_p (HF removes tokens whose ascending cumulative
            // mass is ≤ 1 − top_p, always keeping at least one).
            var probs = _probabilities;
            order.Sort((a, b) => probs[b].CompareTo(probs[a]) is var c && c != 0 ? c : a.CompareTo(b));
            double cumulative = 0;
            kept = 0;
            while (kept < v)
            {
                cumulative += p[order[kept]];
                kept++;
                if (cumulative >= _options.TopP) break;
            }
        }
        double mass = 0;
        for (int i = 0; i < kept; i++) mass += p[order[i]];
        double u = _random.NextDouble() * mass;
        double acc = 0;
        for (int i = 0; i < kept; i++)
        {
            acc += p[order[i]];
            if (u < acc) return order[i];
        }
        return order[kept - 1];
    }
}
