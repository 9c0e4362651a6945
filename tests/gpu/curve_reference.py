#!/usr/bin/python3
"""Reference loss curve for `retain debug train-step --steps N`, with the repository's float64 PyTorch model.

Loads a model directory (config.json + model.safetensors) and a batch.json the way tests/reference/torch_reference.py
does (it needs only PyTorch and numpy, no transformers), then takes N steps on that batch: loss = sum_i c_i * nll_i,
clip_grad_norm_(max_norm), torch.optim.AdamW with weight decay on matrices and embeddings only (the parameters with
two or more dimensions), constant learning rate. Writes "loss" and "grad_norm" per step (F64) to --out.

Usage: curve_reference.py --model DIR --batch batch.json --out curve.safetensors [--steps 50] [--lr 1e-3]
                          [--weight-decay 0.01] [--max-grad-norm 1.0]
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import torch_reference as ref  # noqa: E402  (sets float64 as the default dtype)
import safetensors_io  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--batch", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--max-grad-norm", type=float, default=1.0)
    args = parser.parse_args()

    with open(os.path.join(args.model, "config.json")) as f:
        cfg = ref.Config(json.load(f))
    with open(args.batch) as f:
        batch = json.load(f)
    params = {k: torch.from_numpy(v.copy()).requires_grad_(True) for k, v in ref.read_safetensors(os.path.join(args.model, "model.safetensors")).items()}
    if cfg.tied:
        params.pop("lm_head.weight", None)
    decay = [p for p in params.values() if p.dim() >= 2]
    no_decay = [p for p in params.values() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=args.lr, betas=(0.9, 0.999), eps=1e-8)
    losses, norms = [], []
    for step in range(args.steps):
        optimizer.zero_grad()
        _, nll = ref.run_batch(cfg, params, batch)
        coefficients = torch.tensor(batch.get("coefficients") or [1.0 / len(nll)] * len(nll))
        loss = (coefficients * nll).sum()
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(list(params.values()), args.max_grad_norm if args.max_grad_norm > 0 else float("inf"))
        optimizer.step()
        losses.append(loss.item())
        norms.append(float(norm))
    safetensors_io.write(args.out, {"loss": np.array(losses), "grad_norm": np.array(norms)})
    print(f"{args.steps} steps: loss {losses[0]:.6f} -> {losses[-1]:.6f}")


if __name__ == "__main__":
    main()
