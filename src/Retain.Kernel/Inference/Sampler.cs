namespace Retain.Kernel.Inference;

/// <summary>How the next token is chosen.</summary>
/// <param name="Temperature">0 = greedy (argmax, first index on ties).</param>
/// <param name="TopP">Nucleus mass in (0, 1]; 1 = off.</param>
/// <param name="Seed">Seed of this sequence's random stream (independent of batching).</param>
/// <param name="RepetitionPenalty">Hugging Face repetition penalty over prompt and generated ids (1 = off): a positive
/// logit of a seen token is divided by it, a negative one multiplied; applied before greedy or sampled choice.</param>
/// <param name="TopK">Keep only the tokens whose logit is at least the k-th largest (ties kept); 0 = off. Applied before
/// top-p, which then acts on the renormalised remainder (transformers' warper order: temperature, top-k, top-p).</param>
public sealed record SamplingOptions(double Temperature = 0, double TopP = 1, int Seed = 0, double RepetitionPenalty = 1, int TopK = 0)
{
    /// <summary>Greedy decoding.</summary>
    public static SamplingOptions Greedy { get; } = new();
}

/// <summary>Greedy and temperature / top-k / top-p sampling over one row of logits, Hugging Face semantics.</summary>
public sealed class Sampler
{
    private readonly SamplingOptions _options;
    private readonly Random _random;
    private float[] _probabilities = [];
    private float[] _scores = [];
    private int[] _order = [];

    /// <summary>Creates a sampler with its own seeded stream.</summary>
    public Sampler(SamplingOptions options)
    {
        if (options.Temperature < 0 || double.IsNaN(options.Temperature)) throw new ArgumentOutOfRangeException(nameof(options), "Temperature must be ≥ 0.");
        if (options.TopP is <= 0 or > 1 || double.IsNaN(options.TopP)) throw new ArgumentOutOfRangeException(nameof(options), "Top-p must lie in (0, 1].");
        if (!(options.RepetitionPenalty > 0)) throw new ArgumentOutOfRangeException(nameof(options), "The repetition penalty must be > 0.");
        if (options.TopK < 0) throw new ArgumentOutOfRangeException(nameof(options), "Top-k must be ≥ 0 (0 = off).");
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
        int kept = Filter(logits);
        var p = _probabilities;
        var order = _order;
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

    /// <summary>
    /// The tokens sampling may choose, as transformers' warpers leave them (temperature, then top-k, then top-p): on
    /// return the first <c>kept</c> entries of <see cref="Candidates"/> are their ids, most probable first, and
    /// <see cref="Probabilities"/> holds every token's tempered softmax probability (not renormalised).
    /// </summary>
    internal int Filter(ReadOnlySpan<float> logits)
    {
        int v = logits.Length;
        if (_probabilities.Length < v)
        {
            _probabilities = new float[v];
            _scores = new float[v];
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
        bool topK = _options.TopK > 0 && _options.TopK < v;
        if (!topK && _options.TopP >= 1) return v;

        // Most probable first, by logit (exp can round two different logits to one probability), then lower id first.
        // Which of two exactly tied tokens top-p keeps at its cut is unspecified in transformers (torch.sort is not
        // stable); here it is the lower id.
        logits.CopyTo(_scores);
        var scores = _scores;
        order.Sort((a, b) => scores[b].CompareTo(scores[a]) is var c && c != 0 ? c : a.CompareTo(b));
        int kept = v;
        double keptMass = 1;
        if (topK)
        {
            // transformers removes every token whose logit is below the k-th largest: ties with it stay.
            float threshold = logits[order[_options.TopK - 1]];
            kept = _options.TopK;
            while (kept < v && logits[order[kept]] >= threshold) kept++;
            keptMass = 0;
            for (int i = 0; i < kept; i++) keptMass += p[order[i]];
        }
        if (_options.TopP < 1)
        {
            // transformers removes the tokens whose ascending cumulative (renormalised) mass is ≤ 1 − top_p, keeping
            // at least one: most probable first, a token stays while the mass before it is below top_p.
            double before = 0;
            int limit = kept;
            kept = 0;
            while (kept < limit && (kept == 0 || before < _options.TopP))
            {
                before += p[order[kept]] / keptMass;
                kept++;
            }
        }
        return kept;
    }

    /// <summary>Token ids, most probable first after <see cref="Filter"/>.</summary>
    internal ReadOnlySpan<int> Candidates => _order;

    /// <summary>The tempered softmax of the last <see cref="Filter"/> call, by token id.</summary>
    internal ReadOnlySpan<float> Probabilities => _probabilities;
}
