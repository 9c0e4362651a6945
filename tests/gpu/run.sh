#!/usr/bin/env bash
# GPU verification of the CUDA backend (see README.md). Run from anywhere on a machine with an NVIDIA GPU:
#   tests/gpu/run.sh [--quick] [RETAIN] [OUT]
# --quick: the checks that fit a short GPU loan (a few minutes): doctor, every op against the CPU backend on small
# shapes (fp32 and bf16 GEMMs), one training step of one tiny model against its float64 PyTorch fixture.
# RETAIN: the retain executable of a self-contained publish (default artifacts/retain/retain under the repository);
# OUT: where results and logs go (default artifacts/gpu-verification). Exit status 0 only when every check passed,
# 1 when one failed, 2 when the script cannot verify anything here (bad usage, no retain, no usable CUDA GPU).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
quick=0
positional=()
for argument in "$@"; do
  case "$argument" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "error: unknown option $argument (usage: tests/gpu/run.sh [--quick] [RETAIN] [OUT])" >&2; exit 2 ;;
    *) positional+=("$argument") ;;
  esac
done
if [ ${#positional[@]} -gt 2 ]; then
  echo "error: too many arguments (usage: tests/gpu/run.sh [--quick] [RETAIN] [OUT])" >&2
  exit 2
fi
retain="${positional[0]:-$repo/artifacts/retain/retain}"
out="${positional[1]:-$repo/artifacts/gpu-verification}"
python="${PYTHON:-python3}"
shared="${RETAIN_SHARED:-$repo/../shared}"
fixtures="$repo/tests/Retain.Kernel.Tests/Fixtures"
failures=()

section() { printf '\n== %s\n' "$*" | tee -a "$log"; }
# Runs a check, logging its output; records a failure under the given name and returns its status.
check() {
  local name="$1"; shift
  if "$@" 2>&1 | tee -a "$log"; then return 0; fi
  failures+=("$name")
  return 1
}

if [ ! -x "$retain" ]; then
  echo "error: no retain executable at $retain; publish one first (see tests/gpu/README.md)" >&2
  exit 2
fi
mkdir -p "$out"
log="$out/summary.log"
: > "$log"

section "retain doctor"
# Without a usable GPU nothing below can run: refuse instead of reporting every check as failed.
if ! check "doctor" "$retain" doctor --device cuda; then
  echo "error: retain doctor --device cuda found no usable CUDA GPU (output above, in $log); this script verifies the CUDA backend on a GPU machine only" | tee -a "$log" >&2
  exit 2
fi

section "every op against the CPU backend (fp32 and bf16 GEMMs)"
check "doctor --verify" "$retain" doctor --verify --device cuda --matmul all

section "one training step against the committed float64 PyTorch fixtures"
cases=(llama3 qwen2 qwen3 gemma3)
[ -d "$shared/models/stories260K" ] && cases=(stories260K "${cases[@]}")
matmuls=(fp32 bf16)
# The quick run: one tiny model (Llama 3 with rope scaling, packed rows), fp32 GEMMs.
[ "$quick" = 1 ] && cases=(llama3) && matmuls=(fp32)
for case in "${cases[@]}"; do
  model="$fixtures/$case"; [ "$case" = stories260K ] && model="$shared/models/stories260K"
  for matmul in "${matmuls[@]}"; do
    tolerance=1e-4; [ "$matmul" = bf16 ] && tolerance=5e-2
    result="$out/fixtures/$case.$matmul.safetensors"; mkdir -p "$out/fixtures"
    check "$case step $matmul" "$retain" debug train-step --model "$model" --batch "$fixtures/$case/batch.json" --out "$result" --device cuda --matmul "$matmul" &&
      check "$case step $matmul compare" "$python" "$here/compare.py" "$result" "$fixtures/$case/expected.safetensors" --tolerance "$tolerance" --label "$case ($matmul)" --quiet
  done
done

if [ "$quick" = 1 ]; then
  section "quick run: 50-step curves, transformers parity and the [GpuFact] unit tests skipped (run without --quick for them)"
elif "$python" -c "import torch, numpy" 2>/dev/null; then
  section "50-step loss curves against the float64 PyTorch reference model (tests/reference)"
  for case in "${cases[@]}"; do
    model="$fixtures/$case"; [ "$case" = stories260K ] && model="$shared/models/stories260K"
    reference="$out/curves/$case.reference.safetensors"; mkdir -p "$out/curves"
    check "$case curve reference" "$python" "$here/curve_reference.py" --model "$model" --batch "$fixtures/$case/batch.json" --out "$reference" --steps 50 || continue
    for matmul in fp32 bf16; do
      tolerance=1e-3; [ "$matmul" = bf16 ] && tolerance=3e-2
      result="$out/curves/$case.$matmul.safetensors"
      check "$case curve $matmul" "$retain" debug train-step --model "$model" --batch "$fixtures/$case/batch.json" --out "$result" --device cuda \
        --matmul "$matmul" --steps 50 --lr 1e-3 --weight-decay 0.01 --max-grad-norm 1.0 &&
        check "$case curve $matmul compare" "$python" "$here/compare_curves.py" "$result" "$reference" --tolerance "$tolerance" --label "$case 50 steps ($matmul)"
    done
  done
else
  section "50-step loss curves: skipped ($python has no torch/numpy)"
fi

if [ "$quick" = 1 ]; then
  :
elif "$python" -c "import torch, transformers" 2>/dev/null; then
  section "Hugging Face transformers parity: tiny random Llama, Qwen2, Qwen3, Gemma 3 (one step and 50-step curves)"
  check "transformers parity" "$python" "$here/parity.py" --retain "$retain" --work "$out/transformers"
else
  section "transformers parity: skipped ($python has no torch/transformers; pip install torch transformers)"
  failures+=("transformers parity (not run)")
fi

if [ "$quick" = 0 ] && command -v dotnet >/dev/null 2>&1 && [ -f "$repo/Framework.sln" ]; then
  section "GPU unit tests (dotnet test, [GpuFact])"
  check "dotnet test" dotnet test "$repo/tests/Retain.Cuda.Tests" --filter "FullyQualifiedName~Retain.Cuda.Tests.Gpu"
fi

section "result"
if [ ${#failures[@]} -eq 0 ] && [ "$quick" = 0 ] && [ "${RETAIN_GPU_BENCH:-0}" = 1 ]; then
  # Speed only after every correctness check passed (RETAIN_GPU_BENCH=1 opts in: it takes minutes).
  section "retain bench --suite gpu (against transformers on the same GPU)"
  if "$retain" bench --suite gpu --python "$python" --json > "$out/bench-gpu.json" 2>> "$log"; then
    echo "report: $out/bench-gpu.json" | tee -a "$log"
  else
    failures+=("bench gpu")
  fi
fi
if [ ${#failures[@]} -eq 0 ]; then
  echo "all GPU checks passed" | tee -a "$log"
  exit 0
fi
printf 'failed: %s\n' "${failures[@]}" | tee -a "$log"
exit 1
