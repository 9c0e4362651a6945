"""Which tokens transformers' sampling warpers leave, for Retain's Sampler tests.

transformers' generate() with do_sample applies, in this order, TemperatureLogitsWarper (scores / temperature),
TopKLogitsWarper (scores below the k-th largest score become -inf; ties with it stay) and TopPLogitsWarper (sort
ascending, softmax, cumulative sum; tokens whose cumulative probability is <= 1 - top_p become -inf, the most probable
one always stays), then samples from the softmax of what is left (huggingface/transformers
src/transformers/generation/logits_process.py at aa5108b449965084a90a4c8ce130a156aebf28f1). This script performs the
same float32 tensor operations with PyTorch and writes, per case, the surviving token ids and their probabilities.

    /usr/bin/python3 tests/reference/sampling_reference.py   # Debian python3-torch (PyTorch 1.13)
"""
import json
import pathlib

import torch

OUT = pathlib.Path(__file__).resolve().parents[1] / "Retain.Kernel.Tests" / "Fixtures" / "sampling" / "warpers.json"


def warp(logits: torch.Tensor, temperature: float, top_k: int, top_p: float) -> torch.Tensor:
    scores = logits[None, :] / temperature
    if top_k > 0:
        k = min(top_k, scores.size(-1))
        kth = torch.topk(scores, k)[0][..., -1, None]
        scores = scores.masked_fill(scores < kth, -float("inf"))
    if top_p < 1.0:
        ascending, order = torch.sort(scores, descending=False)
        cumulative = ascending.softmax(dim=-1).cumsum(dim=-1)
        drop = cumulative <= (1 - top_p)
        drop[..., -1:] = False
        scores = scores.masked_fill(drop.scatter(1, order, drop), -float("inf"))
    return scores.softmax(dim=-1)[0]


def main() -> None:
    generator = torch.Generator().manual_seed(20261202)
    rows = []
    for vocab in (8, 64, 512):
        logits = torch.randn(vocab, generator=generator, dtype=torch.float32) * 3
        if vocab >= 64:
            # Ties, including across the top-k boundary.
            order = torch.argsort(logits, descending=True)
            logits[order[4]] = logits[order[3]]
            logits[order[5]] = logits[order[3]]
        rows.append(logits)
    peaked = torch.full((32,), -4.0)
    peaked[7] = 6.0
    peaked[3] = 5.5
    rows.append(peaked)
    cases = []
    for index, row in enumerate(rows):
        for temperature in (0.7, 1.0, 1.5):
            for top_k in (0, 1, 4, 5, 50):
                for top_p in (1.0, 0.9, 0.5, 0.05):
                    probabilities = warp(row, temperature, top_k, top_p)
                    kept = [i for i in range(row.numel()) if probabilities[i] > 0]
                    cases.append({
                        "row": index,
                        "temperature": temperature, "topK": top_k, "topP": top_p,
                        "kept": kept, "probabilities": [float(probabilities[i]) for i in kept],
                    })
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "provenance": "tests/reference/sampling_reference.py, PyTorch " + torch.__version__ + ", transformers' warper order and rules at aa5108b4",
        "rows": [[float(x) for x in row] for row in rows],
        "cases": cases,
    }, indent=None) + "\n")
    print(f"{len(cases)} cases -> {OUT}")


if __name__ == "__main__":
    main()
