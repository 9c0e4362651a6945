#!/usr/bin/python3
"""The PyTorch peer of `retain bench --suite cpu`: the same Llama models, shapes and training step in float32 eager
PyTorch, timed the same way. One process measures one model and one phase, so its peak RSS is that phase's own.

The model is written the way Hugging Face's LlamaForCausalLM computes it (separate q/k/v/o and gate/up/down linears
without bias, RMSNorm in float32, rotate-half rotary embeddings, causal softmax attention with grouped K/V heads
repeated, tied or untied LM head); PyTorch 1.13 has no fused attention, so attention is matmul + mask + softmax +
matmul, as HF's eager path. Config parsing, rotary frequencies and the safetensors reader come from
torch_reference.py (the float64 reference the kernel's parity tests use).

Phases (tokens/s counts the same tokens as Retain):
  train     one optimizer step on rows × length random tokens, every token after the first supervised: mean NLL,
            backward, clip_grad_norm_(1.0), AdamW (lr 1e-5, betas 0.9/0.999, eps 1e-8, weight decay 0), zero_grad.
            tokens/s = rows·length / median step time.
  score     forward log-likelihood of rows × length tokens under torch.no_grad: log_softmax + gather.
            tokens/s = rows·length / median time.
  generate  greedy decoding with a KV cache, batch 1: prefill `prompt` tokens, then `new` tokens one at a time.
            tokens/s = new / median time (prefill included).

Usage: /usr/bin/python3 pytorch_bench.py --model DIR --phase train|score|generate --threads N
                                         [--rows 4 --length 64 --prompt 16 --new 64 --warmup 3
                                         --warmup-seconds 0 --repeat 10 --seed 1]
DIR holds config.json and, optionally, model.safetensors (else weights are N(0, 0.02²), norms 1, seeded).
Prints one JSON object on stdout.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_reference as ref  # noqa: E402  (sets float64 as the default dtype; reset below)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_default_dtype(torch.float32)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        variance = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, hd = cfg.hidden, cfg.head_dim
        self.heads, self.kv_heads, self.head_dim = cfg.heads, cfg.kv_heads, hd
        self.input_layernorm = RMSNorm(d, cfg.eps)
        self.q_proj = nn.Linear(d, cfg.heads * hd, bias=False)
        self.k_proj = nn.Linear(d, cfg.kv_heads * hd, bias=False)
        self.v_proj = nn.Linear(d, cfg.kv_heads * hd, bias=False)
        self.o_proj = nn.Linear(cfg.heads * hd, d, bias=False)
        self.post_attention_layernorm = RMSNorm(d, cfg.eps)
        self.gate_proj = nn.Linear(d, cfg.inter, bias=False)
        self.up_proj = nn.Linear(d, cfg.inter, bias=False)
        self.down_proj = nn.Linear(cfg.inter, d, bias=False)

    def forward(self, x, cos, sin, mask, cache=None):
        b, t, _ = x.shape
        h = self.input_layernorm(x)
        q = self.q_proj(h).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(h).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(h).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            if cache[0] is not None:
                k = torch.cat((cache[0], k), dim=2)
                v = torch.cat((cache[1], v), dim=2)
            cache[0], cache[1] = k, v
        group = self.heads // self.kv_heads
        if group > 1:
            k = k.repeat_interleave(group, dim=1)
            v = v.repeat_interleave(group, dim=1)
        scores = torch.matmul(q, k.transpose(2, 3)) / (self.head_dim ** 0.5)
        if mask is not None:
            scores = scores + mask
        attn = torch.matmul(F.softmax(scores, dim=-1), v)
        attn = attn.transpose(1, 2).reshape(b, t, self.heads * self.head_dim)
        x = x + self.o_proj(attn)
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


class Llama(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        if cfg.model_type != "llama" or cfg.rope_scaling is not None or cfg.qkv_bias or cfg.mlp_bias:
            raise SystemExit("pytorch_bench.py: only plain Llama configs (no rope scaling, no biases) are benchmarked")
        self.cfg = cfg
        self.embed_tokens = nn.Embedding(cfg.vocab, cfg.hidden)
        self.layers = nn.ModuleList(Layer(cfg) for _ in range(cfg.layers))
        self.norm = RMSNorm(cfg.hidden, cfg.eps)
        self.lm_head = nn.Linear(cfg.hidden, cfg.vocab, bias=False)
        if cfg.tied:
            self.lm_head.weight = self.embed_tokens.weight
        inv = ref.inv_freq(cfg.head_dim, cfg.theta, None).float()
        self.register_buffer("inv_freq", inv, persistent=False)

    def rotary(self, positions):
        freqs = positions[:, None].float() * self.inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos()[None, None], emb.sin()[None, None]

    def forward(self, ids, start=0, caches=None):
        t = ids.shape[1]
        cos, sin = self.rotary(torch.arange(start, start + t))
        mask = None
        if t > 1:
            mask = torch.full((t, start + t), float("-inf")).triu(start + 1)[None, None]
        x = self.embed_tokens(ids)
        for i, layer in enumerate(self.layers):
            x = layer(x, cos, sin, mask, None if caches is None else caches[i])
        return self.lm_head(self.norm(x))


def load_weights(model, directory, seed):
    path = os.path.join(directory, "model.safetensors")
    if os.path.exists(path):
        tensors = ref.read_safetensors(path)
        state = {}
        for name, value in tensors.items():
            key = name.replace("model.", "", 1).replace("self_attn.", "").replace("mlp.", "")
            state[key] = torch.from_numpy(value).float()
        if model.cfg.tied:
            state["lm_head.weight"] = state["embed_tokens.weight"]
        model.load_state_dict(state, strict=True)
        return "checkpoint"
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("layernorm.weight") or name == "norm.weight":
                p.fill_(1.0)
            else:
                p.normal_(0.0, 0.02, generator=generator)
    return f"random N(0, 0.02^2), seed {seed}"


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return None


def summary(samples):
    s = sorted(samples)
    return {"median": s[len(s) // 2], "min": s[0], "max": s[-1], "count": len(s), "samples": s}


def timed(step, warmup, warmup_seconds, repeat):
    start, runs = time.perf_counter(), 0
    while runs < warmup or time.perf_counter() - start < warmup_seconds:
        step()
        runs += 1
    seconds, cpu = [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        step()
        seconds.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return seconds, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--phase", required=True, choices=["train", "score", "generate"])
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--rows", type=int, default=4)
    parser.add_argument("--length", type=int, default=64)
    parser.add_argument("--prompt", type=int, default=16)
    parser.add_argument("--new", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--warmup-seconds", type=float, default=0.0)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    with open(os.path.join(args.model, "config.json")) as f:
        cfg = ref.Config(json.load(f))
    model = Llama(cfg)
    weights = load_weights(model, args.model, args.seed)
    generator = torch.Generator().manual_seed(args.seed + 1)

    if args.phase == "train":
        model.train()
        ids = torch.randint(0, cfg.vocab, (args.rows, args.length), generator=generator)
        params = [p for p in model.parameters()]
        optimizer = torch.optim.AdamW(params, lr=1e-5, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)

        def step():
            logits = model(ids)
            loss = F.cross_entropy(logits[:, :-1].reshape(-1, cfg.vocab), ids[:, 1:].reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)

        tokens = args.rows * args.length
        shape = f"{args.rows}x{args.length}"
    elif args.phase == "score":
        model.eval()
        ids = torch.randint(0, cfg.vocab, (args.rows, args.length), generator=generator)

        def step():
            with torch.no_grad():
                logp = F.log_softmax(model(ids)[:, :-1], dim=-1)
                logp.gather(-1, ids[:, 1:, None])

        tokens = args.rows * args.length
        shape = f"{args.rows}x{args.length}"
    else:
        model.eval()
        prompt = torch.randint(0, cfg.vocab, (1, args.prompt), generator=generator)

        def step():
            with torch.no_grad():
                caches = [[None, None] for _ in range(cfg.layers)]
                logits = model(prompt, 0, caches)
                token = logits[:, -1].argmax(-1, keepdim=True)
                position = args.prompt
                for _ in range(args.new - 1):
                    logits = model(token, position, caches)
                    token = logits[:, -1].argmax(-1, keepdim=True)
                    position += 1

        tokens = args.new
        shape = f"1x({args.prompt}+{args.new})"

    seconds, cpu = timed(step, args.warmup, args.warmup_seconds, args.repeat)
    result = {
        "phase": args.phase,
        "shape": shape,
        "tokens": tokens,
        "tokens_per_s": tokens / summary(seconds)["median"],
        "seconds": summary(seconds),
        "cpu_seconds": summary(cpu),
        "peak_rss_mb": peak_rss_mb(),
        "parameters": sum(p.numel() for p in model.parameters()),
        "weights": weights,
        "threads": torch.get_num_threads(),
        "torch_version": torch.__version__,
        "warmup": args.warmup,
        "warmup_seconds": args.warmup_seconds,
        "repeat": args.repeat,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
