using Retain.Kernel.Backends;

namespace Retain.Kernel.Models;

/// <summary>Options of a loaded model.</summary>
public sealed record ModelOptions
{
    /// <summary>
    /// Largest LM-head logit block, in floats. When the scored rows × vocabulary exceed it, the loss is computed in row
    /// chunks and the backward recomputes each chunk's logits instead of keeping them (bounded memory for large vocabularies).
    /// </summary>
    public long LogitsBudget { get; init; } = 64L << 20;

    /// <summary>
    /// Largest per-layer attention probability block (rows × heads × length², floats) kept for backward; above it the
    /// forward keeps each row's log-sum-exp and the backward recomputes the probabilities (memory for long sequences).
    /// </summary>
    public long AttentionProbabilityBudget { get; init; } = 8L << 20;

    /// <summary>Rotary table length; 0 = the config's max_position_embeddings (capped at 131072).</summary>
    public int MaxPositions { get; init; }
}

/// <summary>
/// A decoder-only transformer of the Llama family (Llama 2/3, Qwen2/2.5, Qwen3, Gemma 3 text) on a backend:
/// parameters, forward and backward over <see cref="ForwardBatch"/>es (training and scoring), and a KV-cache forward
/// for generation. The model only calls <see cref="IBackend"/> ops; it never touches backend memory directly.
/// Not thread-safe.
/// </summary>
public sealed partial class TransformerModel : IDisposable
{
    private readonly DeviceBuffer<float> _ropeCos, _ropeSin, _ropeLocalCos, _ropeLocalSin;
    // Training and inference keep separate workspaces, so scoring or validating between training steps does not
    // throw away (and later re-allocate) the training activations.
    private Workspace? _trainingWorkspace;
    private Workspace? _inferenceWorkspace;
    private Workspace? _workspace;
    private ForwardBatch? _lastBatch;
    private ForwardBatch? _lastTrainingBatch;

    /// <summary>Creates a model with zero weights (load them with <see cref="Checkpoint.Load"/> or <see cref="LoadWeights"/>).</summary>
    public TransformerModel(ModelConfig config, IBackend backend, ModelOptions? options = null)
    {
        Config = config;
        Backend = backend;
        Options = options ?? new ModelOptions();
        LogitsBudget = Options.LogitsBudget;
        Parameters = new ParameterStore(backend);
        Layers = BuildParameters(out var embedding, out var finalNorm, out var lmHead);
        Embedding = embedding;
        FinalNorm = finalNorm;
        LmHead = lmHead;

        MaxPositions = Options.MaxPositions > 0 ? Options.MaxPositions : Math.Min(config.MaxPositionEmbeddings, 131072);
        (_ropeCos, _ropeSin) = UploadRope(config.RopeTheta, config.RopeScaling);
        if (config.SlidingLayers.Any(s => s)) (_ropeLocalCos, _ropeLocalSin) = UploadRope(config.RopeLocalTheta, null);
        else (_ropeLocalCos, _ropeLocalSin) = (_ropeCos, _ropeSin);
    }

    private (DeviceBuffer<float>, DeviceBuffer<float>) UploadRope(double theta, RopeScaling? scaling)
    {
        var (cos, sin) = RotaryTables.Build(MaxPositions, Config.HeadDim, theta, scaling);
        var c = Backend.Allocate(cos.Length);
        var s = Backend.Allocate(sin.Length);
        Backend.Upload(cos, c.View);
        Backend.Upload(sin, s.View);
        return (c, s);
    }

    /// <summary>The architecture.</summary>
    public ModelConfig Config { get; }

    /// <summary>The backend running the ops.</summary>
    public IBackend Backend { get; }

    /// <summary>Options.</summary>
    public ModelOptions Options { get; }

    /// <summary>Every parameter (Hugging Face names).</summary>
    public ParameterStore Parameters { get; }

    /// <summary>Longest position the rotary tables cover.</summary>
    public int MaxPositions { get; }

    internal long LogitsBudget { get; }

    internal LayerWeights[] Layers { get; }

    internal ParameterTensor Embedding { get; }

    internal ParameterTensor FinalNorm { get; }

    internal ParameterTensor LmHead { get; }

    /// <summary>The linear modules LoRA can target.</summary>
    public static readonly IReadOnlyList<string> LinearModuleKinds = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    internal IEnumerable<LinearModule> LinearModules => Layers.SelectMany(l => l.Linears);

    private LayerWeights[] BuildParameters(out ParameterTensor embedding, out ParameterTensor finalNorm, out ParameterTensor lmHead)
    {
        var c = Config;
        int d = c.HiddenSize, q = c.HeadCount * c.HeadDim, kv = c.KvHeadCount * c.HeadDim, im = c.IntermediateSize;
        // Two flat groups: matrices (in state_dict order) and vectors (per layer: norms first, then biases), the layout
        // the optimizer and norm reductions have always run over.
        var specs = ParameterLayout.InStateDictOrder(c).ToList();
        Parameters.AddGroup(specs.Where(s => ParameterLayout.IsMatrix(s.Kind)).Select(s => (s.Name, s.Shape, s.Kind)));
        Parameters.AddGroup(specs.Where(s => !ParameterLayout.IsMatrix(s.Kind)).OrderBy(VectorRank).Select(s => (s.Name, s.Shape, s.Kind)));

        ParameterTensor? Optional(string name) => Parameters.Contains(name) ? Parameters[name] : null;
        var layers = new LayerWeights[c.LayerCount];
        int index = 0;
        for (int i = 0; i < c.LayerCount; i++)
        {
            string p = $"model.layers.{i}.";
            LinearModule Linear(string module, int inF, int outF) =>
                new(p + module, index++, inF, outF, Parameters[p + module + ".weight"], Optional(p + module + ".bias"));
            layers[i] = new LayerWeights
            {
                AttentionNorm = Parameters[p + "input_layernorm.weight"],
                AttentionOutputNorm = c.SandwichNorms ? Parameters[p + "post_attention_layernorm.weight"] : null,
                MlpNorm = Parameters[p + (c.SandwichNorms ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight")],
                MlpOutputNorm = c.SandwichNorms ? Parameters[p + "post_feedforward_layernorm.weight"] : null,
                QNorm = Optional(p + "self_attn.q_norm.weight"),
                KNorm = Optional(p + "self_attn.k_norm.weight"),
                Q = Linear("self_attn.q_proj", d, q),
                K = Linear("self_attn.k_proj", d, kv),
                V = Linear("self_attn.v_proj", d, kv),
                O = Linear("self_attn.o_proj", q, d),
                Gate = Linear("mlp.gate_proj", d, im),
                Up = Linear("mlp.up_proj", d, im),
                Down = Linear("mlp.down_proj", im, d),
            };
        }
        embedding = Parameters["model.embed_tokens.weight"];
        finalNorm = Parameters["model.norm.weight"];
        lmHead = c.TieWordEmbeddings ? embedding : Parameters["lm_head.weight"];
        return layers;
    }

    private static readonly string[] VectorOrder =
    [
        "input_layernorm.weight", "post_attention_layernorm.weight", "pre_feedforward_layernorm.weight", "post_feedforward_layernorm.weight",
        "self_attn.q_norm.weight", "self_attn.k_norm.weight", "self_attn.q_proj.bias", "self_attn.k_proj.bias", "self_attn.v_proj.bias",
        "self_attn.o_proj.bias", "mlp.gate_proj.bias", "mlp.up_proj.bias", "mlp.down_proj.bias",
    ];

    private static (int Layer, int Rank) VectorRank(ParameterSpec spec)
    {
        const string Prefix = "model.layers.";
        if (!spec.Name.StartsWith(Prefix, StringComparison.Ordinal)) return (int.MaxValue, 0);
        int dot = spec.Name.IndexOf('.', Prefix.Length);
        return (int.Parse(spec.Name.AsSpan(Prefix.Length, dot - Prefix.Length), System.Globalization.CultureInfo.InvariantCulture),
            Array.IndexOf(VectorOrder, spec.Name[(dot + 1)..]));
    }

    /// <summary>Uploads host values for every parameter; <paramref name="read"/> fills a tensor's destination by name.</summary>
    public void LoadWeights(Action<ParameterTensor, float[]> read)
    {
        foreach (var t in Parameters.Tensors)
        {
            var host = new float[t.Length];
            read(t, host);
            Backend.Upload(host, t.Value);
        }
    }

    /// <summary>Copies every parameter value from a model of the same architecture (LoRA factors included when both have them).</summary>
    public void CopyWeightsFrom(TransformerModel source)
    {
        foreach (var t in Parameters.Tensors)
        {
            if (!source.Parameters.Contains(t.Name)) throw new InvalidOperationException($"The source model has no parameter '{t.Name}'.");
            Backend.Copy(source.Parameters[t.Name].Value, t.Value);
        }
    }

    internal Workspace EnsureWorkspace(int rows, int length, int scored, bool training)
    {
        var current = training ? _trainingWorkspace : _inferenceWorkspace;
        if (current is null || !current.Fits(rows, length, scored, training))
        {
            int r = rows, t = length, m = scored;
            if (current is not null)
            {
                if (training)
                {
                    r = Math.Max(r, current.Rows);
                    t = Math.Max(t, current.Length);
                }
                else
                {
                    t = Math.Max(rows * length, current.Tokens);
                    r = 1;
                }
                m = Math.Max(m, current.ScoredCapacity);
            }
            current?.Dispose();
            current = new Workspace(this, r, t, m, training);
            if (training) _trainingWorkspace = current;
            else _inferenceWorkspace = current;
        }
        _workspace = current;
        return current;
    }

    /// <summary>Sizes the buffers for batches up to the given shape ahead of time (so the first step does not allocate).</summary>
    public void Reserve(int rows, int length, int scored, bool training) => EnsureWorkspace(rows, length, scored, training);

    /// <summary>Frees the activation buffers (they are re-created on the next forward).</summary>
    public void ReleaseWorkspace()
    {
        _trainingWorkspace?.Dispose();
        _inferenceWorkspace?.Dispose();
        _trainingWorkspace = _inferenceWorkspace = _workspace = null;
        _lastBatch = _lastTrainingBatch = null;
    }

    /// <summary>Frees everything.</summary>
    public void Dispose()
    {
        _trainingWorkspace?.Dispose();
        _inferenceWorkspace?.Dispose();
        Parameters.Dispose();
        _ropeCos.Dispose();
        _ropeSin.Dispose();
        if (!ReferenceEquals(_ropeLocalCos, _ropeCos))
        {
            _ropeLocalCos.Dispose();
            _ropeLocalSin.Dispose();
        }
        DisposeCacheWorkspace();
    }
}
