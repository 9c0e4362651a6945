namespace Retain.Kernel.Models;

/// <summary>One parameter a config implies: its Hugging Face name, shape, role, and the config keys its shape comes from.</summary>
/// <param name="Name">The tensor name.</param>
/// <param name="Shape">Shape, row-major.</param>
/// <param name="Kind">Role.</param>
/// <param name="Keys">The config.json keys that give each dimension (for error messages).</param>
public sealed record ParameterSpec(string Name, int[] Shape, ParameterKind Kind, string Keys)
{
    /// <summary>Elements.</summary>
    public long Length => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// The parameters a <see cref="ModelConfig"/> implies, enumerated lazily (so a config claiming a million layers can be
/// checked against a checkpoint without building a million-layer list), in the order transformers' <c>state_dict()</c>
/// lists them: embeddings, then each layer's modules in registration order, then the final norm and the LM head.
/// </summary>
public static class ParameterLayout
{
    /// <summary>Every parameter in transformers' state_dict order (a tied LM head is not listed: it is the embedding).</summary>
    public static IEnumerable<ParameterSpec> InStateDictOrder(ModelConfig c)
    {
        int d = c.HiddenSize, q = c.HeadCount * c.HeadDim, kv = c.KvHeadCount * c.HeadDim, im = c.IntermediateSize;
        const string Q = "num_attention_heads × head_dim", Kv = "num_key_value_heads × head_dim", D = "hidden_size", I = "intermediate_size";
        yield return new("model.embed_tokens.weight", [c.VocabSize, d], ParameterKind.Embedding, $"vocab_size × {D}");
        for (int i = 0; i < c.LayerCount; i++)
        {
            string p = $"model.layers.{i}.";
            yield return new(p + "self_attn.q_proj.weight", [q, d], ParameterKind.Matrix, $"{Q}, {D}");
            if (c.QkvBias) yield return new(p + "self_attn.q_proj.bias", [q], ParameterKind.Bias, Q);
            yield return new(p + "self_attn.k_proj.weight", [kv, d], ParameterKind.Matrix, $"{Kv}, {D}");
            if (c.QkvBias) yield return new(p + "self_attn.k_proj.bias", [kv], ParameterKind.Bias, Kv);
            yield return new(p + "self_attn.v_proj.weight", [kv, d], ParameterKind.Matrix, $"{Kv}, {D}");
            if (c.QkvBias) yield return new(p + "self_attn.v_proj.bias", [kv], ParameterKind.Bias, Kv);
            yield return new(p + "self_attn.o_proj.weight", [d, q], ParameterKind.Matrix, $"{D}, {Q}");
            if (c.OutputBias) yield return new(p + "self_attn.o_proj.bias", [d], ParameterKind.Bias, D);
            if (c.QkNorm)
            {
                yield return new(p + "self_attn.q_norm.weight", [c.HeadDim], ParameterKind.Norm, "head_dim");
                yield return new(p + "self_attn.k_norm.weight", [c.HeadDim], ParameterKind.Norm, "head_dim");
            }
            yield return new(p + "mlp.gate_proj.weight", [im, d], ParameterKind.Matrix, $"{I}, {D}");
            if (c.MlpBias) yield return new(p + "mlp.gate_proj.bias", [im], ParameterKind.Bias, I);
            yield return new(p + "mlp.up_proj.weight", [im, d], ParameterKind.Matrix, $"{I}, {D}");
            if (c.MlpBias) yield return new(p + "mlp.up_proj.bias", [im], ParameterKind.Bias, I);
            yield return new(p + "mlp.down_proj.weight", [d, im], ParameterKind.Matrix, $"{D}, {I}");
            if (c.MlpBias) yield return new(p + "mlp.down_proj.bias", [d], ParameterKind.Bias, D);
            yield return new(p + "input_layernorm.weight", [d], ParameterKind.Norm, D);
            yield return new(p + "post_attention_layernorm.weight", [d], ParameterKind.Norm, D);
            if (c.SandwichNorms)
            {
                yield return new(p + "pre_feedforward_layernorm.weight", [d], ParameterKind.Norm, D);
                yield return new(p + "post_feedforward_layernorm.weight", [d], ParameterKind.Norm, D);
            }
        }
        yield return new("model.norm.weight", [d], ParameterKind.Norm, D);
        if (!c.TieWordEmbeddings) yield return new("lm_head.weight", [c.VocabSize, d], ParameterKind.LmHead, $"vocab_size × {D}");
    }

    /// <summary>Whether a parameter lives in the matrix group (embeddings, projections, LM head) rather than the vector group.</summary>
    public static bool IsMatrix(ParameterKind kind) => kind is ParameterKind.Embedding or ParameterKind.Matrix or ParameterKind.LmHead;
}
