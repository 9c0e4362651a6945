#!/usr/bin/python3
"""Float64 PyTorch reference for the Retain training kernel.

An independent implementation of the Hugging Face model family the kernel supports (Llama 2/3 incl. llama3 rope
scaling, Qwen2 with q/k/v biases, Qwen3 with per-head q/k RMSNorm, Gemma 3 text with scaled embeddings, (1 + w) norms,
four norms per layer, GeGLU-tanh, sliding-window layers with local/global rotary bases and query_pre_attn_scalar).
It needs only PyTorch (Debian python3-torch, 1.13) and numpy: no transformers.

For each case it writes, under tests/Retain.Kernel.Tests/Fixtures/<case>/:
  config.json, model.safetensors   (tiny random cases: float32 random weights)
  batch.json                        rows of token ids, document lengths (packing) and supervised-token masks
  expected.safetensors              logits of every position, per-token NLL of the scored tokens, the loss
                                    sum_i c_i * nll_i and the gradient of that loss for every parameter ("grad.<name>")

Packing semantics: every document of a row is an independent sequence (rotary positions restart at 0, no attention
across documents); padding is a document of its own. Token t is scored when token t+1 is supervised and in the same
document; the target is token t+1.

Usage:  /usr/bin/python3 tests/reference/torch_reference.py [--check-golden]
Run from the repository root; ../shared must hold models/stories260K.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "tests", "Retain.Kernel.Tests", "Fixtures")
SHARED = os.environ.get("RETAIN_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
STORIES = os.path.join(SHARED, "models", "stories260K")


# ---------------------------------------------------------------------------------------------------- safetensors

DTYPES = {"F32": ("<f4", 4), "F64": ("<f8", 8), "F16": ("<f2", 2), "BF16": ("<u2", 2), "I64": ("<i8", 8), "I32": ("<i4", 4)}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        np_dtype, _ = DTYPES[info["dtype"]]
        arr = np.frombuffer(data[base + begin:base + end], dtype=np_dtype)
        if info["dtype"] == "BF16":
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        out[name] = arr.astype(np.float64).reshape(info["shape"])
    return out


def write_safetensors(path, tensors):
    """tensors: dict name -> float array (stored as F32), in sorted name order."""
    header = {"__metadata__": {"format": "pt"}}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(np.asarray(tensors[name], dtype=np.float32))
        raw = arr.tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


# ---------------------------------------------------------------------------------------------------- model

class Config:
    def __init__(self, d):
        self.raw = d
        self.model_type = d["model_type"]
        self.gemma = self.model_type == "gemma3_text"
        self.hidden = d["hidden_size"]
        self.inter = d["intermediate_size"]
        self.layers = d["num_hidden_layers"]
        self.heads = d["num_attention_heads"]
        self.kv_heads = d.get("num_key_value_heads") or self.heads
        self.head_dim = d.get("head_dim") or self.hidden // self.heads
        self.vocab = d["vocab_size"]
        self.eps = d.get("rms_norm_eps", 1e-6)
        self.theta = d.get("rope_theta", 1e6 if self.gemma else 1e4)
        self.local_theta = d.get("rope_local_base_freq", 1e4)
        self.rope_scaling = d.get("rope_scaling")
        self.tied = d.get("tie_word_embeddings", self.gemma)
        attention_bias = d.get("attention_bias", False)
        self.qkv_bias = self.model_type == "qwen2" or attention_bias
        self.o_bias = self.model_type != "qwen2" and attention_bias
        self.mlp_bias = self.model_type == "llama" and d.get("mlp_bias", False)
        self.qk_norm = self.model_type in ("qwen3", "gemma3_text")
        self.scale = (d.get("query_pre_attn_scalar", 256) if self.gemma else self.head_dim) ** -0.5
        self.window = d.get("sliding_window", 4096) if self.gemma else None
        if self.gemma:
            if d.get("layer_types"):
                self.sliding = [t == "sliding_attention" for t in d["layer_types"]]
            else:
                p = d.get("sliding_window_pattern", 6)
                self.sliding = [bool((i + 1) % p) for i in range(self.layers)]
        else:
            self.sliding = [False] * self.layers


def inv_freq(dim, base, scaling):
    inv = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim))
    if scaling is None or scaling.get("rope_type", scaling.get("type")) in (None, "default"):
        return inv
    kind = scaling.get("rope_type", scaling.get("type"))
    factor = scaling["factor"]
    if kind == "linear":
        return inv / factor
    if kind == "llama3":
        low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
        old = scaling["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old / low, old / high
        wavelen = 2 * math.pi / inv
        scaled = torch.where(wavelen > low_wavelen, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < high_wavelen) & ~(wavelen > low_wavelen)
        return torch.where(medium, smoothed, scaled)
    raise ValueError(kind)


def rms_norm(x, w, eps, gemma):
    normed = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
    return normed * (1.0 + w) if gemma else normed * w


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope(x, positions, inv):
    # x: [heads, T, D]
    freqs = positions[:, None].double() * inv[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    return x * emb.cos()[None] + rotate_half(x) * emb.sin()[None]


def linear(x, p, name, bias):
    y = x @ p[name + ".weight"].T
    if bias:
        y = y + p[name + ".bias"]
    return y


def act(x, gemma):
    if gemma:
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))
    return x * torch.sigmoid(x)


def forward_document(cfg, p, ids):
    """Logits [T, V] of one document (positions 0..T-1)."""
    T = len(ids)
    pos = torch.arange(T)
    x = p["model.embed_tokens.weight"][torch.tensor(ids)]
    if cfg.gemma:
        x = x * (cfg.hidden ** 0.5)
    inv_global = inv_freq(cfg.head_dim, cfg.theta, cfg.rope_scaling)
    inv_local = inv_freq(cfg.head_dim, cfg.local_theta, None)
    group = cfg.heads // cfg.kv_heads
    i_idx = torch.arange(T)[:, None]
    j_idx = torch.arange(T)[None, :]
    for l in range(cfg.layers):
        pre = f"model.layers.{l}."
        sliding = cfg.sliding[l]
        h = rms_norm(x, p[pre + "input_layernorm.weight"], cfg.eps, cfg.gemma)
        q = linear(h, p, pre + "self_attn.q_proj", cfg.qkv_bias).view(T, cfg.heads, cfg.head_dim).transpose(0, 1)
        k = linear(h, p, pre + "self_attn.k_proj", cfg.qkv_bias).view(T, cfg.kv_heads, cfg.head_dim).transpose(0, 1)
        v = linear(h, p, pre + "self_attn.v_proj", cfg.qkv_bias).view(T, cfg.kv_heads, cfg.head_dim).transpose(0, 1)
        if cfg.qk_norm:
            q = rms_norm(q, p[pre + "self_attn.q_norm.weight"], cfg.eps, cfg.gemma)
            k = rms_norm(k, p[pre + "self_attn.k_norm.weight"], cfg.eps, cfg.gemma)
        inv = inv_local if sliding else inv_global
        q = rope(q, pos, inv)
        k = rope(k, pos, inv)
        k = k.repeat_interleave(group, dim=0)
        v = v.repeat_interleave(group, dim=0)
        scores = (q @ k.transpose(1, 2)) * cfg.scale
        allowed = j_idx <= i_idx
        if sliding:
            allowed = allowed & (i_idx - j_idx < cfg.window)
        scores = scores.masked_fill(~allowed[None], float("-inf"))
        att = torch.softmax(scores, dim=-1) @ v
        att = att.transpose(0, 1).reshape(T, cfg.heads * cfg.head_dim)
        o = linear(att, p, pre + "self_attn.o_proj", cfg.o_bias)
        if cfg.gemma:
            o = rms_norm(o, p[pre + "post_attention_layernorm.weight"], cfg.eps, True)
        x = x + o
        mlp_norm = "pre_feedforward_layernorm" if cfg.gemma else "post_attention_layernorm"
        h = rms_norm(x, p[pre + mlp_norm + ".weight"], cfg.eps, cfg.gemma)
        g = linear(h, p, pre + "mlp.gate_proj", cfg.mlp_bias)
        u = linear(h, p, pre + "mlp.up_proj", cfg.mlp_bias)
        m = linear(act(g, cfg.gemma) * u, p, pre + "mlp.down_proj", cfg.mlp_bias)
        if cfg.gemma:
            m = rms_norm(m, p[pre + "post_feedforward_layernorm.weight"], cfg.eps, True)
        x = x + m
    x = rms_norm(x, p["model.norm.weight"], cfg.eps, cfg.gemma)
    head = p["model.embed_tokens.weight"] if cfg.tied else p["lm_head.weight"]
    return x @ head.T


def run_batch(cfg, params, batch):
    """Logits [R, T, V], scored-token NLLs (row, position order), targets."""
    rows = []
    nll = []
    for row in batch["rows"]:
        ids, docs, sup = row["ids"], row["documents"], row["supervised"]
        assert sum(docs) == len(ids) == len(sup)
        parts = []
        start = 0
        for length in docs:
            logits = forward_document(cfg, params, ids[start:start + length])
            parts.append(logits)
            logp = torch.log_softmax(logits, dim=-1)
            for t in range(length - 1):
                if sup[start + t + 1]:
                    nll.append(-logp[t, ids[start + t + 1]])
            start += length
        rows.append(torch.cat(parts, dim=0))
    return torch.stack(rows), torch.stack(nll)


# ---------------------------------------------------------------------------------------------------- cases

def random_params(cfg, seed):
    g = torch.Generator().manual_seed(seed)
    d, q, kv, im = cfg.hidden, cfg.heads * cfg.head_dim, cfg.kv_heads * cfg.head_dim, cfg.inter

    def randn(*shape, std):
        return torch.randn(*shape, generator=g) * std

    p = {"model.embed_tokens.weight": randn(cfg.vocab, d, std=0.5 if not cfg.gemma else 0.15)}
    norm = (lambda n: randn(n, std=0.1)) if cfg.gemma else (lambda n: 1.0 + randn(n, std=0.1))
    for l in range(cfg.layers):
        pre = f"model.layers.{l}."
        p[pre + "self_attn.q_proj.weight"] = randn(q, d, std=d ** -0.5)
        p[pre + "self_attn.k_proj.weight"] = randn(kv, d, std=d ** -0.5)
        p[pre + "self_attn.v_proj.weight"] = randn(kv, d, std=d ** -0.5)
        p[pre + "self_attn.o_proj.weight"] = randn(d, q, std=q ** -0.5)
        p[pre + "mlp.gate_proj.weight"] = randn(im, d, std=d ** -0.5)
        p[pre + "mlp.up_proj.weight"] = randn(im, d, std=d ** -0.5)
        p[pre + "mlp.down_proj.weight"] = randn(d, im, std=im ** -0.5)
        p[pre + "input_layernorm.weight"] = norm(d)
        p[pre + "post_attention_layernorm.weight"] = norm(d)
        if cfg.gemma:
            p[pre + "pre_feedforward_layernorm.weight"] = norm(d)
            p[pre + "post_feedforward_layernorm.weight"] = norm(d)
        if cfg.qk_norm:
            p[pre + "self_attn.q_norm.weight"] = norm(cfg.head_dim)
            p[pre + "self_attn.k_norm.weight"] = norm(cfg.head_dim)
        if cfg.qkv_bias:
            p[pre + "self_attn.q_proj.bias"] = randn(q, std=0.1)
            p[pre + "self_attn.k_proj.bias"] = randn(kv, std=0.1)
            p[pre + "self_attn.v_proj.bias"] = randn(kv, std=0.1)
        if cfg.o_bias:
            p[pre + "self_attn.o_proj.bias"] = randn(d, std=0.1)
        if cfg.mlp_bias:
            p[pre + "mlp.gate_proj.bias"] = randn(im, std=0.1)
            p[pre + "mlp.up_proj.bias"] = randn(im, std=0.1)
            p[pre + "mlp.down_proj.bias"] = randn(d, std=0.1)
    p["model.norm.weight"] = norm(d)
    if not cfg.tied:
        p["lm_head.weight"] = randn(cfg.vocab, d, std=d ** -0.5)
    # Weights are stored as float32; compute from exactly those values.
    return {k: v.float().double() for k, v in p.items()}


def make_batch(vocab, seed, row_layouts, prompt_fraction=0.4):
    """row_layouts: per row, a list of document lengths; a trailing ('pad', n) entry adds padding."""
    rng = np.random.RandomState(seed)
    rows = []
    for layout in row_layouts:
        ids, docs, sup = [], [], []
        for entry in layout:
            if isinstance(entry, tuple):  # padding
                n = entry[1]
                ids += [0] * n
                docs.append(n)
                sup += [0] * n
                continue
            n = entry
            ids += [int(x) for x in rng.randint(0, vocab, size=n)]
            docs.append(n)
            prompt = max(1, int(round(n * prompt_fraction)))
            sup += [0] * prompt + [1] * (n - prompt)
        rows.append({"ids": ids, "documents": docs, "supervised": sup})
    return {"rows": rows}


TINY = {
    "llama3": {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 32, "intermediate_size": 48,
        "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 96,
        "max_position_embeddings": 256, "rms_norm_eps": 1e-5, "rope_theta": 500000.0, "hidden_act": "silu",
        "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                         "original_max_position_embeddings": 16},
        "attention_bias": True, "mlp_bias": True, "tie_word_embeddings": False, "bos_token_id": 1, "eos_token_id": [2, 3],
        "torch_dtype": "float32",
    },
    "qwen2": {
        "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 32, "intermediate_size": 40,
        "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 1, "vocab_size": 80,
        "max_position_embeddings": 256, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "hidden_act": "silu",
        "tie_word_embeddings": True, "use_sliding_window": False, "sliding_window": 131072, "max_window_layers": 2,
        "attention_dropout": 0.0, "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "float32",
    },
    "qwen3": {
        "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_size": 32, "intermediate_size": 48,
        "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "vocab_size": 72,
        "max_position_embeddings": 256, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "hidden_act": "silu",
        "attention_bias": False, "tie_word_embeddings": False, "use_sliding_window": False, "sliding_window": None,
        "attention_dropout": 0.0, "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "float32",
    },
    "gemma3": {
        "architectures": ["Gemma3ForCausalLM"], "model_type": "gemma3_text", "hidden_size": 32, "intermediate_size": 64,
        "num_hidden_layers": 3, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "vocab_size": 88,
        "max_position_embeddings": 256, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "rope_local_base_freq": 10000.0,
        "rope_scaling": {"rope_type": "linear", "factor": 2.0}, "hidden_activation": "gelu_pytorch_tanh",
        "query_pre_attn_scalar": 24, "sliding_window": 5,
        "layer_types": ["sliding_attention", "full_attention", "sliding_attention"],
        "final_logit_softcapping": None, "attn_logit_softcapping": None, "attention_bias": False,
        "tie_word_embeddings": True, "bos_token_id": 2, "eos_token_id": [1, 106], "pad_token_id": 0,
        "torch_dtype": "float32",
    },
}

LAYOUTS = [[7, 9], [12, ("pad", 4)]]


def coefficients_for(case, n, seed):
    if case == "qwen3":  # non-uniform per-token weights, as a TALR-style objective produces
        rng = np.random.RandomState(seed)
        return [float(x) for x in rng.uniform(0.1, 2.0, size=n) / n]
    return [1.0 / n] * n


def emit(case, cfg, params, batch, directory, write_model):
    os.makedirs(directory, exist_ok=True)
    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    logits, nll = run_batch(cfg, leaves, batch)
    coefficients = coefficients_for(case, len(nll), 7)
    batch = dict(batch, coefficients=coefficients)
    loss = (torch.tensor(coefficients) * nll).sum()
    loss.backward()
    out = {"logits": logits.detach().numpy(), "nll": nll.detach().numpy(), "loss": np.array([loss.item()])}
    for k, v in leaves.items():
        out["grad." + k] = v.grad.numpy()
    with open(os.path.join(directory, "batch.json"), "w") as f:
        json.dump(batch, f)
    write_safetensors(os.path.join(directory, "expected.safetensors"), out)
    if write_model:
        with open(os.path.join(directory, "config.json"), "w") as f:
            json.dump(cfg.raw, f, indent=1)
        write_safetensors(os.path.join(directory, "model.safetensors"), {k: v.numpy() for k, v in params.items()})
    print(f"{case}: {len(nll)} scored tokens, loss {loss.item():.6f}")


def check_golden():
    with open(os.path.join(STORIES, "config.json")) as f:
        cfg = Config(json.load(f))
    params = read_safetensors(os.path.join(STORIES, "model.safetensors"))
    params = {k: torch.from_numpy(v) for k, v in params.items()}
    with open(os.path.join(STORIES, "golden_greedy.json")) as f:
        case = json.load(f)["cases"][0]
    ids = list(case["prompt_ids_with_bos"])
    with torch.no_grad():
        while len(ids) < len(case["all_ids"]):
            logits = forward_document(cfg, params, ids)
            ids.append(int(torch.argmax(logits[-1])))
    assert ids == case["all_ids"], "the reference model does not reproduce the stories260K golden greedy ids"
    print("stories260K golden greedy ids reproduced")
    return cfg, params


def main():
    cfg, params = check_golden()
    stories_batch = make_batch(cfg.vocab, 11, [[20, 12], [25, ("pad", 7)]])
    emit("stories260K", cfg, params, stories_batch, os.path.join(FIXTURES, "stories260K"), write_model=False)
    for i, (case, raw) in enumerate(TINY.items()):
        c = Config(raw)
        emit(case, c, random_params(c, 100 + i), make_batch(c.vocab, 200 + i, LAYOUTS), os.path.join(FIXTURES, case), write_model=True)


if __name__ == "__main__":
    main()
