using System.Text.Json;

namespace Retain.Kernel.Models;

/// <summary>The model families the kernel implements.</summary>
public enum ModelFamily
{
    /// <summary>Llama 2 / Llama 3 (<c>llama</c>).</summary>
    Llama,
    /// <summary>Qwen2 / Qwen2.5 (<c>qwen2</c>): q/k/v biases.</summary>
    Qwen2,
    /// <summary>Qwen3 (<c>qwen3</c>): per-head q/k RMSNorm.</summary>
    Qwen3,
    /// <summary>Gemma 3 text (<c>gemma3_text</c>): scaled embeddings, (1 + w) norms, four norms per layer, GeGLU, sliding windows.</summary>
    Gemma3,
}

/// <summary>How rotary frequencies are scaled (Hugging Face <c>rope_scaling</c>).</summary>
/// <param name="Type"><c>default</c>, <c>linear</c> or <c>llama3</c>.</param>
/// <param name="Factor">The scaling factor.</param>
/// <param name="LowFrequencyFactor">llama3 only.</param>
/// <param name="HighFrequencyFactor">llama3 only.</param>
/// <param name="OriginalMaxPositions">llama3 only.</param>
public sealed record RopeScaling(string Type, double Factor = 1, double LowFrequencyFactor = 1, double HighFrequencyFactor = 4, int OriginalMaxPositions = 8192);

/// <summary>
/// A model's architecture as read from its Hugging Face <c>config.json</c>: the family, sizes, and the per-family
/// details the forward pass needs. Unknown model types and options the kernel does not implement are refused with a
/// <see cref="ModelConfigException"/> naming the file and key.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>The <c>model_type</c> values that load, and the family each maps to.</summary>
    public static readonly IReadOnlyDictionary<string, ModelFamily> SupportedModelTypes = new Dictionary<string, ModelFamily>
    {
        ["llama"] = ModelFamily.Llama,
        ["qwen2"] = ModelFamily.Qwen2,
        ["qwen3"] = ModelFamily.Qwen3,
        ["gemma3_text"] = ModelFamily.Gemma3,
    };

    /// <summary>The <c>model_type</c> string.</summary>
    public required string ModelType { get; init; }

    /// <summary>The family.</summary>
    public required ModelFamily Family { get; init; }

    /// <summary>d_model.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>MLP width.</summary>
    public required int IntermediateSize { get; init; }

    /// <summary>Transformer layers.</summary>
    public required int LayerCount { get; init; }

    /// <summary>Query heads.</summary>
    public required int HeadCount { get; init; }

    /// <summary>Key/value heads (GQA).</summary>
    public required int KvHeadCount { get; init; }

    /// <summary>Per-head dimension.</summary>
    public required int HeadDim { get; init; }

    /// <summary>Vocabulary (rows of the embedding).</summary>
    public required int VocabSize { get; init; }

    /// <summary>Longest supported sequence.</summary>
    public required int MaxPositionEmbeddings { get; init; }

    /// <summary>RMSNorm epsilon.</summary>
    public required double RmsNormEps { get; init; }

    /// <summary>Rotary base of (global) attention layers.</summary>
    public required double RopeTheta { get; init; }

    /// <summary>Rotary scaling of (global) attention layers, or null.</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <summary>Rotary base of sliding-window layers (Gemma 3's <c>rope_local_base_freq</c>).</summary>
    public double RopeLocalTheta { get; init; }

    /// <summary>Whether the LM head shares the embedding matrix.</summary>
    public required bool TieWordEmbeddings { get; init; }

    /// <summary>Biases on q, k and v projections.</summary>
    public bool QkvBias { get; init; }

    /// <summary>Bias on the output projection.</summary>
    public bool OutputBias { get; init; }

    /// <summary>Biases on gate, up and down projections.</summary>
    public bool MlpBias { get; init; }

    /// <summary>Per-head RMSNorm of q and k before RoPE.</summary>
    public bool QkNorm { get; init; }

    /// <summary>0 for w·x̂ norms, 1 for Gemma's (1 + w)·x̂.</summary>
    public float NormWeightOffset { get; init; }

    /// <summary>Gemma's extra norms after attention and after the MLP.</summary>
    public bool SandwichNorms { get; init; }

    /// <summary>Multiplier of the embedding output (√hidden for Gemma, else 1).</summary>
    public float EmbeddingScale { get; init; } = 1;

    /// <summary>Softmax scale of attention scores.</summary>
    public required float AttentionScale { get; init; }

    /// <summary>The MLP gate activation.</summary>
    public Backends.Activation Activation { get; init; } = Backends.Activation.Silu;

    /// <summary>Sliding-window length (keys within the last <c>SlidingWindow</c> positions), for the layers marked sliding.</summary>
    public int SlidingWindow { get; init; }

    /// <summary>Per layer: whether it uses the sliding window (and the local rotary base).</summary>
    public required IReadOnlyList<bool> SlidingLayers { get; init; }

    /// <summary>BOS id from config.json, if any.</summary>
    public int? BosTokenId { get; init; }

    /// <summary>EOS ids from config.json (one or a list).</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    /// <summary>Parameters of the model (embeddings counted once when tied).</summary>
    public long ParameterCount
    {
        get
        {
            long d = HiddenSize, q = (long)HeadCount * HeadDim, kv = (long)KvHeadCount * HeadDim, i = IntermediateSize;
            long layer = d * q + 2 * d * kv + q * d + 3 * d * i + 2 * d;
            if (QkvBias) layer += q + 2 * kv;
            if (OutputBias) layer += d;
            if (MlpBias) layer += 2 * i + d;
            if (QkNorm) layer += 2 * HeadDim;
            if (SandwichNorms) layer += 2 * d;
            return LayerCount * layer + (long)VocabSize * d * (TieWordEmbeddings ? 1 : 2) + d;
        }
    }

    /// <summary>Reads <c>config.json</c> from a model directory (or a config file path).</summary>
    public static ModelConfig Load(string pathOrDirectory)
    {
        string path = Directory.Exists(pathOrDirectory) ? Path.Combine(pathOrDirectory, "config.json") : pathOrDirectory;
        if (!File.Exists(path)) throw new ModelConfigException($"{path}: not found; a Hugging Face model directory needs config.json.");
        if (Formats.FileLinks.Target(path) is null) throw new ModelConfigException($"{path}: cannot be read: {Formats.FileLinks.Problem(path)}.");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses config.json text; <paramref name="source"/> names it in errors.</summary>
    public static ModelConfig Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ModelConfigException($"{source}: {Formats.JsonErrors.Describe(e)}.", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new ModelConfigException($"{source}: must be a JSON object.");
            return new ConfigReader(document.RootElement, source).Read();
        }
    }

    private sealed class ConfigReader(JsonElement root, string source)
    {
        private string Where(string key) => $"{source}: key '{key}'";

        private bool Has(string key) => root.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;

        private int RequiredInt(string key)
        {
            if (!Has(key)) throw new ModelConfigException($"{Where(key)} is required.");
            return Int(key, 0);
        }

        private int Int(string key, int fallback)
        {
            if (!Has(key)) return fallback;
            var v = root.GetProperty(key);
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int value)) throw new ModelConfigException($"{Where(key)} must be an integer, not {v.GetRawText()}.");
            return value;
        }

        private int Positive(string key, int value)
        {
            if (value <= 0) throw new ModelConfigException($"{Where(key)} must be positive, not {value}.");
            return value;
        }

        private void WithinInt32(string key, long value, string what)
        {
            if (value > int.MaxValue) throw new ModelConfigException($"{Where(key)}: {what} = {value} exceeds the largest tensor dimension ({int.MaxValue}).");
        }

        private double PositiveNumber(string key, double value)
        {
            if (!(value > 0) || !double.IsFinite(value)) throw new ModelConfigException($"{Where(key)} must be a positive number, not {Format(value)}.");
            return value;
        }

        private double NonNegative(string key, double value)
        {
            if (!(value >= 0) || !double.IsFinite(value)) throw new ModelConfigException($"{Where(key)} must be a non-negative number, not {Format(value)}.");
            return value;
        }

        private static string Format(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

        private double Double(string key, double fallback)
        {
            if (!Has(key)) return fallback;
            var v = root.GetProperty(key);
            if (v.ValueKind != JsonValueKind.Number) throw new ModelConfigException($"{Where(key)} must be a number, not {v.GetRawText()}.");
            return v.GetDouble();
        }

        private bool Bool(string key, bool fallback)
        {
            if (!Has(key)) return fallback;
            var v = root.GetProperty(key);
            return v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new ModelConfigException($"{Where(key)} must be true or false, not {v.GetRawText()}."),
            };
        }

        private string? String(string key)
        {
            if (!Has(key)) return null;
            var v = root.GetProperty(key);
            if (v.ValueKind != JsonValueKind.String) throw new ModelConfigException($"{Where(key)} must be a string, not {v.GetRawText()}.");
            return v.GetString();
        }

        private IReadOnlyList<int> IntList(string key)
        {
            if (!Has(key)) return [];
            var v = root.GetProperty(key);
            if (v.ValueKind == JsonValueKind.Number) return [Int(key, 0)];
            if (v.ValueKind != JsonValueKind.Array) throw new ModelConfigException($"{Where(key)} must be an integer or a list of integers.");
            return v.EnumerateArray().Select(e => e.TryGetInt32(out int x) ? x : throw new ModelConfigException($"{Where(key)} must list integers.")).ToArray();
        }

        public ModelConfig Read()
        {
            string supported = string.Join(", ", SupportedModelTypes.Keys);
            string modelType = String("model_type") ?? throw new ModelConfigException($"{Where("model_type")} is required (supported: {supported}).");
            if (!SupportedModelTypes.TryGetValue(modelType, out var family))
            {
                string hint = modelType == "gemma3" ? " For Gemma 3, use the text-only checkpoint (model_type gemma3_text, Gemma3ForCausalLM)." : "";
                throw new ModelConfigException($"{Where("model_type")}: '{modelType}' is not supported; supported model types are {supported}.{hint}");
            }

            int hidden = Positive("hidden_size", RequiredInt("hidden_size"));
            int layers = Positive("num_hidden_layers", RequiredInt("num_hidden_layers"));
            int heads = Positive("num_attention_heads", RequiredInt("num_attention_heads"));
            int kvHeads = Positive("num_key_value_heads", Int("num_key_value_heads", heads));
            if (heads % kvHeads != 0) throw new ModelConfigException($"{Where("num_key_value_heads")}: {heads} attention heads are not a multiple of {kvHeads} key/value heads.");
            if (!Has("head_dim") && hidden % heads != 0) throw new ModelConfigException($"{Where("hidden_size")}: {hidden} is not divisible by num_attention_heads {heads} and head_dim is not given.");
            int headDim = Has("head_dim") ? Positive("head_dim", Int("head_dim", 0)) : hidden / heads;
            WithinInt32("num_attention_heads", (long)heads * headDim, $"num_attention_heads {heads} × head_dim {headDim}");
            if (headDim % 2 != 0) throw new ModelConfigException($"{Where("head_dim")}: rotary embeddings need an even head dimension, not {headDim}.");
            int vocab = Positive("vocab_size", RequiredInt("vocab_size"));
            int intermediate = Positive("intermediate_size", RequiredInt("intermediate_size"));

            double partialRotary = Double("partial_rotary_factor", 1);
            if (partialRotary != 1) throw new ModelConfigException($"{Where("partial_rotary_factor")}: only 1.0 is supported, not {partialRotary}.");
            double attentionDropout = Double("attention_dropout", 0);
            if (attentionDropout != 0) throw new ModelConfigException($"{Where("attention_dropout")}: attention dropout is not implemented; set it to 0.0 (found {attentionDropout}).");
            foreach (var softcap in new[] { "attn_logit_softcapping", "final_logit_softcapping" })
            {
                if (Has(softcap)) throw new ModelConfigException($"{Where(softcap)}: logit soft-capping is not implemented (Gemma 3 sets it to null).");
            }
            if (Bool("use_sliding_window", false)) throw new ModelConfigException($"{Where("use_sliding_window")}: Qwen-style sliding windows are not implemented; set it to false.");

            bool gemma = family == ModelFamily.Gemma3;
            string activationName = (gemma ? String("hidden_activation") ?? String("hidden_act") : String("hidden_act")) ?? (gemma ? "gelu_pytorch_tanh" : "silu");
            var activation = activationName switch
            {
                "silu" or "swish" => Backends.Activation.Silu,
                "gelu_pytorch_tanh" or "gelu_tanh" => Backends.Activation.GeluTanh,
                _ => throw new ModelConfigException($"{Where(gemma ? "hidden_activation" : "hidden_act")}: activation '{activationName}' is not supported (silu, gelu_pytorch_tanh)."),
            };

            bool attentionBias = Bool("attention_bias", false);
            // A per-layer flag computed on demand: a config claiming 2^31 layers must not allocate before the
            // checkpoint's tensors are compared with it.
            IReadOnlyList<bool> sliding = new LayerFlags(layers, _ => false);
            int window = 0;
            if (gemma)
            {
                window = Positive("sliding_window", Int("sliding_window", 4096));
                if (Has("layer_types"))
                {
                    var types = root.GetProperty("layer_types");
                    if (types.ValueKind != JsonValueKind.Array || types.GetArrayLength() != layers) throw new ModelConfigException($"{Where("layer_types")} must list one type per layer ({layers}).");
                    var flags = new bool[layers];
                    int i = 0;
                    foreach (var t in types.EnumerateArray())
                    {
                        flags[i] = (t.ValueKind == JsonValueKind.String ? t.GetString() : null) switch
                        {
                            "sliding_attention" => true,
                            "full_attention" => false,
                            _ => throw new ModelConfigException($"{Where("layer_types")}: entry {i} is {t.GetRawText()}; expected \"sliding_attention\" or \"full_attention\"."),
                        };
                        i++;
                    }
                    sliding = flags;
                }
                else
                {
                    int pattern = Int("sliding_window_pattern", 6);
                    sliding = new LayerFlags(layers, i => pattern <= 0 || (i + 1) % pattern != 0);
                }
            }

            var rope = ReadRope(gemma);
            int bos = Int("bos_token_id", -1);
            return new ModelConfig
            {
                ModelType = modelType,
                Family = family,
                HiddenSize = hidden,
                IntermediateSize = intermediate,
                LayerCount = layers,
                HeadCount = heads,
                KvHeadCount = kvHeads,
                HeadDim = headDim,
                VocabSize = vocab,
                MaxPositionEmbeddings = Positive("max_position_embeddings", Int("max_position_embeddings", family switch
                {
                    ModelFamily.Llama => 2048,
                    ModelFamily.Gemma3 => 131072,
                    _ => 32768,
                })),
                RmsNormEps = NonNegative("rms_norm_eps", Double("rms_norm_eps", 1e-6)),
                RopeTheta = rope.Theta,
                RopeLocalTheta = rope.LocalTheta,
                RopeScaling = rope.Scaling,
                TieWordEmbeddings = Bool("tie_word_embeddings", gemma),
                QkvBias = family == ModelFamily.Qwen2 || attentionBias,
                OutputBias = family != ModelFamily.Qwen2 && attentionBias,
                MlpBias = family == ModelFamily.Llama && Bool("mlp_bias", false),
                QkNorm = family is ModelFamily.Qwen3 or ModelFamily.Gemma3,
                NormWeightOffset = gemma ? 1f : 0f,
                SandwichNorms = gemma,
                EmbeddingScale = gemma ? MathF.Sqrt(hidden) : 1f,
                AttentionScale = (float)(1 / Math.Sqrt(gemma ? PositiveNumber("query_pre_attn_scalar", Double("query_pre_attn_scalar", 256)) : headDim)),
                Activation = activation,
                SlidingWindow = window,
                SlidingLayers = sliding,
                BosTokenId = bos >= 0 ? bos : null,
                EosTokenIds = IntList("eos_token_id"),
            };
        }

        /// <summary>
        /// Rotary settings: transformers 4's top-level <c>rope_theta</c> and <c>rope_scaling</c>, or transformers 5's
        /// <c>rope_parameters</c> (one object, or for Gemma 3 one per layer type). Both present and disagreeing is refused:
        /// reading the wrong one would silently change every position's frequency.
        /// </summary>
        private (double Theta, double LocalTheta, RopeScaling? Scaling) ReadRope(bool gemma)
        {
            double defaultTheta = gemma ? 1_000_000 : 10_000;
            double localTheta = PositiveNumber("rope_local_base_freq", Double("rope_local_base_freq", 10_000));
            if (!Has("rope_parameters"))
            {
                double theta = PositiveNumber("rope_theta", Double("rope_theta", defaultTheta));
                var scaling = Has("rope_scaling") ? ReadRopeScaling(root.GetProperty("rope_scaling"), "rope_scaling") : null;
                return (theta, localTheta, scaling);
            }
            var parameters = root.GetProperty("rope_parameters");
            if (parameters.ValueKind != JsonValueKind.Object) throw new ModelConfigException($"{Where("rope_parameters")} must be an object, not {parameters.GetRawText()}.");
            (double Theta, RopeScaling? Scaling) global;
            if (gemma && parameters.TryGetProperty("full_attention", out var full))
            {
                global = ReadRopeParameters(full, "rope_parameters.full_attention", defaultTheta);
                if (parameters.TryGetProperty("sliding_attention", out var sliding))
                {
                    var local = ReadRopeParameters(sliding, "rope_parameters.sliding_attention", 10_000);
                    if (local.Scaling is not null) throw new ModelConfigException($"{Where("rope_parameters.sliding_attention.rope_type")}: scaled rotary embeddings on sliding-window layers are not implemented.");
                    localTheta = local.Theta;
                }
            }
            else
            {
                global = ReadRopeParameters(parameters, "rope_parameters", defaultTheta);
            }
            if (Has("rope_theta") && Double("rope_theta", 0) != global.Theta)
            {
                throw new ModelConfigException($"{Where("rope_theta")} is {Format(Double("rope_theta", 0))}, but rope_parameters gives rope_theta {Format(global.Theta)}; remove one of them.");
            }
            return (global.Theta, localTheta, global.Scaling);
        }

        private (double Theta, RopeScaling? Scaling) ReadRopeParameters(JsonElement v, string path, double defaultTheta)
        {
            if (v.ValueKind != JsonValueKind.Object) throw new ModelConfigException($"{Where(path)} must be an object, not {v.GetRawText()}.");
            double theta = defaultTheta;
            if (v.TryGetProperty("rope_theta", out var t) && t.ValueKind != JsonValueKind.Null)
            {
                theta = t.ValueKind == JsonValueKind.Number ? t.GetDouble() : throw new ModelConfigException($"{Where(path + ".rope_theta")} must be a number, not {t.GetRawText()}.");
                if (!(theta > 0) || !double.IsFinite(theta)) throw new ModelConfigException($"{Where(path + ".rope_theta")} must be a positive number, not {Format(theta)}.");
            }
            if (v.TryGetProperty("partial_rotary_factor", out var partial) && !(partial.ValueKind == JsonValueKind.Number && partial.GetDouble() == 1))
            {
                throw new ModelConfigException($"{Where(path + ".partial_rotary_factor")}: only 1.0 is supported, not {partial.GetRawText()}.");
            }
            return (theta, ReadRopeScaling(v, path));
        }

        private RopeScaling? ReadRopeScaling(JsonElement v, string path)
        {
            if (v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.Object) throw new ModelConfigException($"{Where(path)} must be an object or null, not {v.GetRawText()}.");
            string typeKey = v.TryGetProperty("rope_type", out _) ? "rope_type" : "type";
            string? type = null;
            if (v.TryGetProperty(typeKey, out var t) && t.ValueKind != JsonValueKind.Null)
            {
                type = t.ValueKind == JsonValueKind.String
                    ? t.GetString()
                    : throw new ModelConfigException($"{Where(path + "." + typeKey)} must be a string (default, linear, llama3), not {t.GetRawText()}.");
            }
            double Number(string key, double fallback)
            {
                if (!v.TryGetProperty(key, out var e) || e.ValueKind == JsonValueKind.Null) return fallback;
                if (e.ValueKind != JsonValueKind.Number) throw new ModelConfigException($"{Where(path + "." + key)} must be a number, not {e.GetRawText()}.");
                return e.GetDouble();
            }
            double PositiveKey(string key, double fallback)
            {
                double value = Number(key, fallback);
                if (!(value > 0) || !double.IsFinite(value)) throw new ModelConfigException($"{Where(path + "." + key)} must be a positive number, not {Format(value)}.");
                return value;
            }
            switch (type)
            {
                case null or "default":
                    return null;
                case "linear":
                    return new RopeScaling("linear", PositiveKey("factor", 1));
                case "llama3":
                    double low = PositiveKey("low_freq_factor", 1), high = PositiveKey("high_freq_factor", 4);
                    if (high <= low)
                    {
                        throw new ModelConfigException($"{Where(path + ".high_freq_factor")} must be larger than low_freq_factor ({Format(low)}), not {Format(high)} (llama3 scaling divides by their difference).");
                    }
                    double original = PositiveKey("original_max_position_embeddings", 8192);
                    if (original != Math.Floor(original) || original > int.MaxValue)
                    {
                        throw new ModelConfigException($"{Where(path + ".original_max_position_embeddings")} must be a positive integer, not {Format(original)}.");
                    }
                    return new RopeScaling("llama3", PositiveKey("factor", 8), low, high, (int)original);
                default:
                    throw new ModelConfigException($"{Where(path + "." + typeKey)}: rope type '{type}' is not supported (default, linear, llama3).");
            }
        }
    }
}

/// <summary>A read-only list of per-layer flags computed from the layer index.</summary>
internal sealed class LayerFlags(int count, Func<int, bool> flag) : IReadOnlyList<bool>
{
    public bool this[int index] => (uint)index < (uint)count ? flag(index) : throw new ArgumentOutOfRangeException(nameof(index));

    public int Count => count;

    public IEnumerator<bool> GetEnumerator()
    {
        for (int i = 0; i < count; i++) yield return flag(i);
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
