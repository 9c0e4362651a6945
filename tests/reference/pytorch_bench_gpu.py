#!/usr/bin/env python3
"""The PyTorch peer of `retain bench --suite gpu`: Hugging Face transformers + PyTorch eager on CUDA, the training step
of the same config, shapes and timing rule as Retain's, one model per process.

The step: AutoModelForCausalLM.from_config (random weights of the real config; SDPA attention), fp32 master weights
with torch.autocast(bfloat16) — as Retain: bf16 GEMM inputs, fp32 accumulation, fp32 weights and AdamW states —,
rows × length random tokens with every token after the first supervised (HF's shifted-label mean cross-entropy),
backward, clip_grad_norm_(1.0), torch.optim.AdamW(fused=True, lr 1e-5), zero_grad. torch.cuda.synchronize() brackets
every timed step. tokens/s = rows·length / median step time; peak device memory = torch.cuda.max_memory_reserved().

NOT YET RUN: no GPU has been available to this project; treat its first run as a check of the script itself.

Usage: python3 pytorch_bench_gpu.py --model DIR --phase train [--rows 4 --length 2048 --warmup 3 --warmup-seconds 0
                                    --repeat 10 --seed 1 --threads N (ignored) --compile]
Prints one JSON object on stdout.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_bench as cpu_bench  # noqa: E402  (the CPU peer's timing rule, summary and peak RSS)
import torch  # noqa: E402
import transformers  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--phase", required=True, choices=["train"])
    parser.add_argument("--rows", type=int, default=4)
    parser.add_argument("--length", type=int, default=2048)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--warmup-seconds", type=float, default=0.0)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--compile", action="store_true", help="torch.compile the model (the stretch reference)")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    device = torch.device("cuda")
    config = transformers.AutoConfig.from_pretrained(args.model)
    model = transformers.AutoModelForCausalLM.from_config(config, attn_implementation="sdpa", torch_dtype=torch.float32).to(device)
    model.train()
    step_model = torch.compile(model) if args.compile else model
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-5, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, fused=True)
    generator = torch.Generator().manual_seed(args.seed + 1)
    ids = torch.randint(0, config.vocab_size, (args.rows, args.length), generator=generator).to(device)

    def step():
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = step_model(input_ids=ids, labels=ids).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    def synchronized_step():
        step()
        torch.cuda.synchronize()

    seconds, _ = cpu_bench.timed(synchronized_step, args.warmup, args.warmup_seconds, args.repeat)
    timing = cpu_bench.summary(seconds)
    tokens = args.rows * args.length
    print(json.dumps({
        "phase": args.phase,
        "shape": f"{args.rows}x{args.length}",
        "tokens": tokens,
        "tokens_per_s": tokens / timing["median"],
        "seconds": timing,
        "peak_rss_mb": cpu_bench.peak_rss_mb(),
        "peak_device_mb": torch.cuda.max_memory_reserved() / 2**20,
        "parameters": sum(p.numel() for p in model.parameters()),
        "detail": f"torch {torch.__version__}, transformers {transformers.__version__}, {torch.cuda.get_device_name()}, "
                  f"sdpa, autocast bf16, fused AdamW{', compiled' if args.compile else ''}",
    }))


if __name__ == "__main__":
    main()
