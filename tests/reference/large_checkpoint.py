#!/usr/bin/python3
"""Writes a large synthetic Llama checkpoint as the Hub shards it, to measure how much memory loading it takes.

    /usr/bin/python3 tests/reference/large_checkpoint.py OUT [--dtype BF16|F32] [--layers 20] [--shards 4]
    /usr/bin/python3 tests/reference/large_checkpoint.py --measure OUT -- COMMAND...

The first form writes OUT/config.json (hidden 2048, intermediate 5632, 16 heads, vocab 512: about 1.03 billion
parameters at 20 layers, 2.06 GB in BF16), OUT/model-0000i-of-0000n.safetensors shards of roughly equal size, the
index, and the stories260K tokenizer (so `retain score` can load it). Weights are N(0, 0.02) rounded to the dtype.
The second form runs COMMAND and prints its peak resident memory (getrusage ru_maxrss of the child) against the
checkpoint's size on disk and its float32 size in memory.
Needs numpy only.
"""
import json
import os
import resource
import shutil
import struct
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("RETAIN_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))


def tensors(cfg):
    d, i, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    yield "model.embed_tokens.weight", (v, d)
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        for name, shape in [("self_attn.q_proj.weight", (d, d)), ("self_attn.k_proj.weight", (d, d)), ("self_attn.v_proj.weight", (d, d)),
                            ("self_attn.o_proj.weight", (d, d)), ("mlp.gate_proj.weight", (i, d)), ("mlp.up_proj.weight", (i, d)),
                            ("mlp.down_proj.weight", (d, i)), ("input_layernorm.weight", (d,)), ("post_attention_layernorm.weight", (d,))]:
            yield p + name, shape
    yield "model.norm.weight", (d,)
    yield "lm_head.weight", (v, d)


def encode(values, dtype):
    if dtype == "F32":
        return values.astype("<f4").tobytes()
    bits = values.astype("<f4").view("<u4")
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype("<u2")  # round to nearest even, as torch casts
    return rounded.tobytes()


def write_shard(path, entries, dtype, rng):
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    size = 2 if dtype == "BF16" else 4
    for name, shape in sorted(entries):
        n = int(np.prod(shape)) * size
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + n]}
        offset += n
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name, shape in sorted(entries):
            values = np.ones(shape, np.float32) if name.endswith("norm.weight") else rng.standard_normal(shape, dtype=np.float32) * 0.02
            f.write(encode(values, dtype))
    return offset


def make(out, dtype, layers, shards):
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 2048, "intermediate_size": 5632,
           "num_hidden_layers": layers, "num_attention_heads": 16, "num_key_value_heads": 16, "vocab_size": 512,
           "max_position_embeddings": 2048, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": False,
           "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "bfloat16" if dtype == "BF16" else "float32"}
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(SHARED, "models", "stories260K", name), out)
    all_tensors = list(tensors(cfg))
    size = 2 if dtype == "BF16" else 4
    total = sum(int(np.prod(s)) * size for _, s in all_tensors)
    groups, current, filled = [], [], 0
    for t in all_tensors:
        current.append(t)
        filled += int(np.prod(t[1])) * size
        if filled >= total * (len(groups) + 1) / shards and len(groups) < shards - 1:
            groups.append(current)
            current = []
    groups.append(current)
    rng = np.random.default_rng(0)
    weight_map = {}
    for k, group in enumerate(groups):
        file = f"model-{k + 1:05d}-of-{len(groups):05d}.safetensors"
        write_shard(os.path.join(out, file), group, dtype, rng)
        weight_map.update({name: file for name, _ in group})
    with open(os.path.join(out, "model.safetensors.index.json"), "w") as f:
        f.write(json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2, sort_keys=True) + "\n")
    params = sum(int(np.prod(s)) for _, s in all_tensors)
    print(f"{out}: {params / 1e9:.3f} B parameters, {total / 1e9:.3f} GB of {dtype} in {len(groups)} shards")


def measure(out, command):
    with open(os.path.join(out, "model.safetensors.index.json")) as f:
        index = json.load(f)
    on_disk = sum(os.path.getsize(os.path.join(out, s)) for s in set(index["weight_map"].values()))
    with open(os.path.join(out, "config.json")) as f:
        cfg = json.load(f)
    float32 = sum(int(np.prod(s)) for _, s in tensors(cfg)) * 4
    code = subprocess.call(command)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(f"exit {code}; peak RSS {peak / 1e9:.2f} GB; checkpoint files {on_disk / 1e9:.2f} GB; float32 weights {float32 / 1e9:.2f} GB; "
          f"peak / files = {peak / on_disk:.2f}; peak / float32 weights = {peak / float32:.2f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[0] == "--measure":
        measure(args[1], args[args.index("--") + 1:])
    else:
        opts = dict(zip(args[1::2], args[2::2]))
        make(args[0], opts.get("--dtype", "BF16"), int(opts.get("--layers", 20)), int(opts.get("--shards", 4)))
