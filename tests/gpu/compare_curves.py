#!/usr/bin/env python3
"""Compares two loss curves ("loss" per step in safetensors files): the largest |retain - reference| relative to the
reference loss at that step. Prints every tenth step side by side; exits 1 above the tolerance.

Usage: compare_curves.py RETAIN.safetensors REFERENCE.safetensors --tolerance 1e-3 [--label NAME]
"""
import argparse
import sys

import numpy as np

import safetensors_io


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("retain")
    parser.add_argument("reference")
    parser.add_argument("--tolerance", type=float, required=True)
    parser.add_argument("--label", default="curve")
    args = parser.parse_args()
    retain = safetensors_io.read(args.retain)[0]["loss"].reshape(-1)
    reference = safetensors_io.read(args.reference)[0]["loss"].reshape(-1)
    if retain.shape != reference.shape:
        print(f"{args.label}: {retain.size} retain steps vs {reference.size} reference steps")
        sys.exit(1)
    error = np.abs(retain - reference) / np.abs(reference)
    for step in list(range(0, retain.size, 10)) + [retain.size - 1]:
        print(f"  step {step + 1:3d}  retain {retain[step]:.6f}  reference {reference[step]:.6f}  rel {error[step]:.1e}")
    worst = float(np.nanmax(error)) if not np.isnan(error).any() else float("inf")
    ok = worst <= args.tolerance
    print(f"{args.label}: {'pass' if ok else 'FAIL'}, worst relative loss difference {worst:.2e} over {retain.size} steps (tolerance {args.tolerance:.0e})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
