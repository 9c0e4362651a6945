using Retain.Kernel.Backends;

namespace Retain.Kernel.Models;

/// <summary>Activations of one layer kept for the backward pass (or reused across layers in inference).</summary>
internal sealed class LayerActivations
{
    public BufferView<float> Input;          // residual stream entering the layer
    public BufferView<float> AttentionIn, AttentionRstd;
    public BufferView<float> QRaw, QRstd, Q, KRaw, KRstd, K, V;
    public BufferView<float> AttentionSaved;   // probabilities or log-sum-exps
    public BufferView<float> Attention;      // attention output, o_proj input
    public BufferView<float> AttentionOut, AttentionOutRstd;
    public BufferView<float> Middle;         // residual after attention
    public BufferView<float> MlpIn, MlpRstd;
    public BufferView<float> Gate, Up, Activated;
    public BufferView<float> MlpOut, MlpOutRstd;
    public LowRankActivations?[] LowRank = [];
}

/// <summary>
/// Every buffer a forward (and, in training mode, backward) pass needs for batches up to a capacity, planned once and
/// allocated from two arenas, so steps never allocate. Training mode keeps each layer's activations; inference mode
/// shares one set across layers.
/// </summary>
internal sealed class Workspace : IDisposable
{
    private readonly DeviceBuffer<float> _floats;
    private readonly DeviceBuffer<int> _ints;

    public Workspace(TransformerModel model, int rows, int length, int scoredCapacity, bool training)
    {
        Rows = rows;
        Length = length;
        ScoredCapacity = Math.Max(1, scoredCapacity);
        Training = training;
        var c = model.Config;
        LogitRows = Math.Max(1, (int)Math.Min(ScoredCapacity, Math.Max(1, model.LogitsBudget / c.VocabSize)));
        SaveProbabilities = (long)rows * c.HeadCount * length * length <= model.Options.AttentionProbabilityBudget;
        Layers = new LayerActivations[c.LayerCount];
        HostSlidingStart = new int[rows * length];
        (_floats, _ints) = Arena.Build(model.Backend, arena => Layout(arena, model));
    }

    public int Rows { get; }
    public int Length { get; }
    public int Tokens => Rows * Length;
    public int ScoredCapacity { get; }
    public int LogitRows { get; }
    public bool Training { get; }

    /// <summary>Whether attention keeps probabilities (else log-sum-exps) for backward.</summary>
    public bool SaveProbabilities { get; }

    public LayerActivations[] Layers { get; }
    public BufferView<float> FinalResidual, FinalNormed, FinalRstd, Scored, Logits, Nll, LogSumExp, Coefficients;
    public BufferView<int> Ids, Positions, GlobalStart, SlidingStart, ScoredTokens, Targets, IsArgmax;

    // Backward scratch (training only).
    public BufferView<float> ResidualGrad, HiddenGrad, AttentionGrad, QGrad, KGrad, VGrad, QRawGrad, KRawGrad;
    public BufferView<float> ActivatedGrad, UpGrad, GateGrad, ScoredGrad, LowRankProjectedGrad, LowRankInputScratch;

    public int[] HostSlidingStart { get; }

    private void Layout(Arena a, TransformerModel model)
    {
        var c = model.Config;
        long n = Tokens, d = c.HiddenSize, q = (long)c.HeadCount * c.HeadDim, kv = (long)c.KvHeadCount * c.HeadDim, im = c.IntermediateSize;
        int maxIn = Math.Max(c.HiddenSize, Math.Max(c.IntermediateSize, c.HeadCount * c.HeadDim));
        int maxRank = 0;

        LayerActivations Make(LayerWeights w, bool withInput)
        {
            var l = new LayerActivations
            {
                Input = withInput ? a.Floats(n * d) : default,
                AttentionIn = a.Floats(n * d),
                AttentionRstd = a.Floats(n),
                QRaw = a.Floats(n * q),
                KRaw = a.Floats(n * kv),
                V = a.Floats(n * kv),
                AttentionSaved = !Training ? default
                    : SaveProbabilities ? a.Floats((long)Rows * c.HeadCount * Length * Length) : a.Floats((long)Rows * c.HeadCount * Length),
                Attention = a.Floats(n * q),
                AttentionOut = a.Floats(n * d),
                Middle = Training ? a.Floats(n * d) : default,
                MlpIn = a.Floats(n * d),
                MlpRstd = a.Floats(n),
                Gate = a.Floats(n * im),
                Up = a.Floats(n * im),
                Activated = a.Floats(n * im),
                MlpOut = a.Floats(n * d),
            };
            if (c.QkNorm)
            {
                l.Q = a.Floats(n * q);
                l.K = a.Floats(n * kv);
                l.QRstd = a.Floats(n * c.HeadCount);
                l.KRstd = a.Floats(n * c.KvHeadCount);
            }
            else
            {
                l.Q = l.QRaw;
                l.K = l.KRaw;
            }
            if (c.SandwichNorms)
            {
                l.AttentionOutRstd = a.Floats(n);
                l.MlpOutRstd = a.Floats(n);
            }
            var linears = w.Linears.ToArray();
            l.LowRank = new LowRankActivations?[linears.Length];
            for (int i = 0; i < linears.Length; i++)
            {
                if (linears[i].Lora is not { } lora) continue;
                maxRank = Math.Max(maxRank, lora.Rank);
                bool dropout = Training && lora.Dropout > 0;
                l.LowRank[i] = new LowRankActivations
                {
                    DroppedInput = dropout ? a.Floats(n * linears[i].In) : default,
                    Mask = dropout ? a.Floats(n * linears[i].In) : default,
                    Projected = a.Floats(n * lora.Rank),
                };
            }
            return l;
        }

        if (Training)
        {
            for (int i = 0; i < c.LayerCount; i++) Layers[i] = Make(model.Layers[i], withInput: true);
            FinalResidual = a.Floats(n * d);
        }
        else
        {
            var shared = Make(model.Layers[0], withInput: true);
            // Inference updates the residual stream in place.
            shared.Middle = shared.Input;
            for (int i = 0; i < c.LayerCount; i++) Layers[i] = shared;
            FinalResidual = shared.Input;
            // LoRA targets the same module kinds in every layer, so layer 0's set serves all layers.
        }
        FinalNormed = a.Floats(n * d);
        FinalRstd = a.Floats(n);
        Scored = a.Floats((long)ScoredCapacity * d);
        Logits = a.Floats((long)LogitRows * c.VocabSize);
        Nll = a.Floats(ScoredCapacity);
        LogSumExp = a.Floats(ScoredCapacity);
        Coefficients = a.Floats(ScoredCapacity);

        Ids = a.Ints(n);
        Positions = a.Ints(n);
        GlobalStart = a.Ints(n);
        SlidingStart = a.Ints(n);
        ScoredTokens = a.Ints(ScoredCapacity);
        Targets = a.Ints(ScoredCapacity);
        IsArgmax = a.Ints(ScoredCapacity);

        if (Training)
        {
            ResidualGrad = a.Floats(n * d);
            HiddenGrad = a.Floats(n * d);
            AttentionGrad = a.Floats(n * q);
            QGrad = a.Floats(n * q);
            KGrad = a.Floats(n * kv);
            VGrad = a.Floats(n * kv);
            if (c.QkNorm)
            {
                QRawGrad = a.Floats(n * q);
                KRawGrad = a.Floats(n * kv);
            }
            ActivatedGrad = a.Floats(n * im);
            UpGrad = a.Floats(n * im);
            GateGrad = a.Floats(n * im);
            ScoredGrad = a.Floats((long)ScoredCapacity * d);
            if (maxRank > 0)
            {
                LowRankProjectedGrad = a.Floats(n * maxRank);
                LowRankInputScratch = a.Floats(n * maxIn);
            }
        }
    }

    /// <summary>Whether a batch fits (training layouts index the saved probabilities by row and length).</summary>
    public bool Fits(int rows, int length, int scored, bool training) =>
        training == Training && scored <= ScoredCapacity && (Training ? rows <= Rows && length <= Length : rows * length <= Tokens);

    public void Dispose()
    {
        _floats.Dispose();
        _ints.Dispose();
    }
}
