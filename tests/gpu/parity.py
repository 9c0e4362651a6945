#!/usr/bin/env python3
"""Hugging Face parity of `retain` on a GPU: tiny random Llama, Qwen2, Qwen3 and Gemma 3 models built with transformers.

For each architecture: build a random model with transformers, save it as a Hugging Face directory (config.json +
model.safetensors, float32), write a batch (padded rows, per-token loss weights, supervised-token masks), then
  1. one training step in transformers (float64, CPU, eager attention): loss = sum_i c_i * nll_i and every parameter's
     gradient -> reference.safetensors;
  2. the same step in `retain debug train-step --device cuda` with fp32 and bf16 GEMMs, compared by compare.py
     (fp32 within 1e-4, bf16 within 5e-2);
  3. 50 AdamW steps on the batch in transformers (float64: lr 1e-3, weight decay 0.01 on matrices, clip 1.0) and in
     retain on CUDA (fp32 and bf16), compared by compare_curves.py (fp32 within 1e-3, bf16 within 3e-2).
Needs torch and transformers (any recent version with Gemma 3, >= 4.50).

Usage: parity.py --retain PATH/TO/retain --work DIR [--device cuda] [--steps 50] [--only llama,qwen2,...]
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import torch

import safetensors_io

HERE = os.path.dirname(os.path.abspath(__file__))


def configs():
    import transformers as tf
    common = dict(vocab_size=256, hidden_size=64, intermediate_size=160, num_hidden_layers=3, num_attention_heads=4,
                  num_key_value_heads=2, max_position_embeddings=512, rms_norm_eps=1e-6)
    return {
        "llama": (tf.LlamaForCausalLM, tf.LlamaConfig(**common, rope_theta=500000.0, tie_word_embeddings=False,
                  rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                "original_max_position_embeddings": 64})),
        "qwen2": (tf.Qwen2ForCausalLM, tf.Qwen2Config(**common, rope_theta=1e6, tie_word_embeddings=True, use_sliding_window=False)),
        "qwen3": (tf.Qwen3ForCausalLM, tf.Qwen3Config(**common, head_dim=32, rope_theta=1e6, tie_word_embeddings=True, use_sliding_window=False)),
        "gemma3": (tf.Gemma3ForCausalLM, tf.Gemma3TextConfig(**common, head_dim=32, query_pre_attn_scalar=32, sliding_window=8,
                   sliding_window_pattern=2, layer_types=["sliding_attention", "full_attention", "sliding_attention"],
                   rope_theta=1e6, rope_local_base_freq=1e4, tie_word_embeddings=True)),
    }


def make_batch(seed, vocab, lengths, row_length):
    """Rows of one document each, right-padded (the padding is a document of its own on the retain side)."""
    rng = np.random.RandomState(seed)
    rows = []
    for length in lengths:
        ids = [int(x) for x in rng.randint(3, vocab, size=length)] + [0] * (row_length - length)
        prompt = int(rng.randint(2, length // 2))
        supervised = [0] * prompt + [1] * (length - prompt) + [0] * (row_length - length)
        documents = [length] + ([row_length - length] if row_length > length else [])
        rows.append({"ids": ids, "documents": documents, "supervised": supervised})
    scored = sum(sum(r["supervised"][1:]) for r in rows)
    weights = rng.uniform(0.2, 2.0, size=scored)
    return {"rows": rows, "coefficients": [float(w) for w in weights / weights.sum()]}


def hf_loss(model, batch):
    """sum_i c_i * nll_i and the per-token NLLs, in retain's scored-token order (row by row, position by position)."""
    ids = torch.tensor([r["ids"] for r in batch["rows"]])
    mask = torch.tensor([[1] * r["documents"][0] + [0] * (len(r["ids"]) - r["documents"][0]) for r in batch["rows"]])
    logits = model(input_ids=ids, attention_mask=mask).logits
    logp = torch.log_softmax(logits, dim=-1)
    nll = []
    for r, row in enumerate(batch["rows"]):
        length = row["documents"][0]
        for t in range(length - 1):
            if row["supervised"][t + 1]:
                nll.append(-logp[r, t, row["ids"][t + 1]])
    nll = torch.stack(nll)
    return (torch.tensor(batch["coefficients"], dtype=nll.dtype) * nll).sum(), nll


def reference_step(model, batch, path):
    model.zero_grad()
    loss, nll = hf_loss(model, batch)
    loss.backward()
    tensors = {"loss": np.array([loss.item()]), "nll": nll.detach().numpy()}
    for name, p in model.named_parameters():
        tensors["grad." + name] = p.grad.detach().numpy()
    safetensors_io.write(path, tensors)
    return loss.item()


def reference_curve(model, batch, steps, path):
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss, _ = hf_loss(model, batch)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
    safetensors_io.write(path, {"loss": np.array(losses)})


def run(command, log):
    log.write("$ " + " ".join(command) + "\n")
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log.write(result.stdout)
    print(result.stdout, end="")
    return result.returncode == 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--retain", required=True, help="the retain executable")
    parser.add_argument("--work", required=True)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    import transformers
    os.makedirs(args.work, exist_ok=True)
    torch.manual_seed(0)
    failures = []
    with open(os.path.join(args.work, "parity.log"), "w") as log:
        log.write(f"torch {torch.__version__}, transformers {transformers.__version__}\n")
        for index, (name, (model_class, config)) in enumerate(configs().items()):
            if args.only and name not in args.only.split(","):
                continue
            folder = os.path.join(args.work, name)
            model_dir = os.path.join(folder, "model")
            torch.manual_seed(100 + index)
            model = model_class(config).float()
            with torch.no_grad():
                for p in model.parameters():  # HF initialises norms to constants; perturb so their gradients matter
                    if p.dim() == 1:
                        p.add_(0.1 * torch.randn_like(p))
            model.save_pretrained(model_dir, safe_serialization=True)
            reference = model_class.from_pretrained(model_dir, torch_dtype=torch.float64, attn_implementation="eager")
            batch = make_batch(200 + index, config.vocab_size, [29, 17, 23], 32)
            batch_path = os.path.join(folder, "batch.json")
            with open(batch_path, "w") as f:
                json.dump(batch, f)
            loss = reference_step(reference, batch, os.path.join(folder, "reference.safetensors"))
            print(f"== {name}: transformers float64 loss {loss:.6f}")
            reference_curve(reference, batch, args.steps, os.path.join(folder, "reference_curve.safetensors"))
            for matmul, step_tolerance, curve_tolerance in (("fp32", 1e-4, 1e-3), ("bf16", 5e-2, 3e-2)):
                out = os.path.join(folder, f"retain_{matmul}.safetensors")
                ok = run([args.retain, "debug", "train-step", "--model", model_dir, "--batch", batch_path, "--out", out,
                          "--device", args.device, "--matmul", matmul], log)
                ok = ok and run([sys.executable, os.path.join(HERE, "compare.py"), out, os.path.join(folder, "reference.safetensors"),
                                 "--tolerance", str(step_tolerance), "--label", f"{name} one step ({matmul})", "--quiet"], log)
                curve = os.path.join(folder, f"retain_curve_{matmul}.safetensors")
                ok = ok and run([args.retain, "debug", "train-step", "--model", model_dir, "--batch", batch_path, "--out", curve,
                                 "--device", args.device, "--matmul", matmul, "--steps", str(args.steps), "--lr", "1e-3",
                                 "--weight-decay", "0.01", "--max-grad-norm", "1.0"], log)
                ok = ok and run([sys.executable, os.path.join(HERE, "compare_curves.py"), curve, os.path.join(folder, "reference_curve.safetensors"),
                                 "--tolerance", str(curve_tolerance), "--label", f"{name} {args.steps}-step curve ({matmul})"], log)
                if not ok:
                    failures.append(f"{name} {matmul}")
        log.write("failures: " + (", ".join(failures) or "none") + "\n")
    print("parity: " + ("all passed" if not failures else "FAILED: " + ", ".join(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
