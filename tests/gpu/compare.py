#!/usr/bin/env python3
"""Compares what `retain debug train-step` wrote with a reference (PyTorch) file.

Both files hold "loss" (first entry = first step), "nll" and "grad.<name>" for every parameter. The error of a
tensor is max|retain - reference| / max|reference| (NaN fails). Prints one line per tensor, then a summary; exits 1
when any tensor, the loss or the NLLs exceed the tolerance, or a gradient is missing on either side.

Usage: compare.py RETAIN.safetensors REFERENCE.safetensors --tolerance 1e-4 [--label NAME] [--quiet]
"""
import argparse
import math
import sys

import numpy as np

import safetensors_io


def relative_error(actual, expected):
    if actual.shape != expected.shape:
        return math.inf
    if np.isnan(actual).any() or np.isnan(expected).any():
        return math.inf
    scale = float(np.abs(expected).max()) if expected.size else 0.0
    diff = float(np.abs(actual - expected).max()) if expected.size else 0.0
    return diff / scale if scale > 0 else diff


def compare(retain_path, reference_path, tolerance, label="", quiet=False):
    retain, metadata = safetensors_io.read(retain_path)
    reference, _ = safetensors_io.read(reference_path)
    rows = []
    loss_error = abs(retain["loss"].reshape(-1)[0] - reference["loss"].reshape(-1)[0]) / max(abs(reference["loss"].reshape(-1)[0]), 1e-30)
    rows.append(("loss", loss_error))
    if "nll" in reference:
        rows.append(("nll", relative_error(retain["nll"].reshape(-1), reference["nll"].reshape(-1))))
    grads = sorted(n for n in reference if n.startswith("grad."))
    missing = [n for n in grads if n not in retain] + [n for n in retain if n.startswith("grad.") and n not in reference]
    for name in grads:
        if name in retain:
            rows.append((name, relative_error(retain[name], reference[name].reshape(retain[name].shape) if retain[name].size == reference[name].size else reference[name])))
    worst = max(e for _, e in rows)
    failed = [n for n, e in rows if not e <= tolerance] + missing
    if not quiet:
        for name, error in rows:
            print(f"  {'pass' if error <= tolerance else 'FAIL'}  {error:.2e}  {name}")
        for name in missing:
            print(f"  FAIL  missing  {name}")
    backend = metadata.get("backend", "?")
    print(f"{label}: {len(rows) - len(failed)} of {len(rows) + len(missing)} within {tolerance:.0e} (worst {worst:.2e}; {backend})")
    return not failed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("retain")
    parser.add_argument("reference")
    parser.add_argument("--tolerance", type=float, required=True)
    parser.add_argument("--label", default="compare")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    sys.exit(0 if compare(args.retain, args.reference, args.tolerance, args.label, args.quiet) else 1)


if __name__ == "__main__":
    main()
