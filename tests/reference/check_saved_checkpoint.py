#!/usr/bin/python3
"""Checks a checkpoint Retain saved against the rules transformers and safetensors load by, with PyTorch 1.13.

    /usr/bin/python3 tests/reference/check_saved_checkpoint.py SAVED ORIGINAL [MAX_SHARD_BYTES]

SAVED is a folder Checkpoint.Save wrote in BF16 (tests/Retain.Kernel.Tests/Fixtures/saved-llama3-bf16), ORIGINAL the
float32 folder it was loaded from. Checked, without transformers or safetensors installed:
  * the index is exactly json.dumps(index, indent=2, sort_keys=True) + "\\n" (transformers' save_pretrained), its
    metadata has total_size (bytes) and total_parameters, and it names every shard model-0000i-of-0000n.safetensors;
  * each shard passes the checks of safetensors' reader (header length, UTF-8 JSON, dtype x shape = bytes, offsets
    contiguous from 0 to the end of the file), has __metadata__ {"format": "pt"}, lists tensors in its writer's order
    (dtype, then name), and is no larger than the limit unless it holds one tensor;
  * torch.frombuffer reads every tensor as torch.bfloat16, bit-identical to torch's cast of the original float32
    tensor (so Retain rounds as PyTorch does), and the saved tensor names are the original's;
  * the float64 reference model (torch_reference.py) gives the same logits from the loaded weights as from the
    original weights cast to bfloat16.
Prints one line per check; exits 1 on the first failure.
"""
import json
import os
import re
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_reference as ref  # noqa: E402

TORCH_DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16, "F64": torch.float64}
SIZES = {"F32": 4, "BF16": 2, "F16": 2, "F64": 8}
# safetensors' Dtype declaration order, which its writer sorts by (descending), then by name.
ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]


def check(condition, message):
    if not condition:
        print("FAIL: " + message)
        sys.exit(1)
    print("ok: " + message)


def read_shard(path, limit):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    check(n <= 100_000_000 and 8 + n <= len(data) and n % 8 == 0, f"{os.path.basename(path)}: header length {n} is valid and 8-byte aligned")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    check(header.get("__metadata__") == {"format": "pt"}, f"{os.path.basename(path)}: __metadata__ is {{\"format\": \"pt\"}}")
    entries = [(k, v) for k, v in header.items() if k != "__metadata__"]
    check(list(header)[0] == "__metadata__", f"{os.path.basename(path)}: __metadata__ comes first")
    expected_order = sorted(entries, key=lambda e: (-ORDER.index(e[1]["dtype"]), e[0]))
    check([k for k, _ in entries] == [k for k, _ in expected_order], f"{os.path.basename(path)}: tensors in safetensors' order (dtype, then name)")
    offset = 0
    tensors = {}
    for name, info in sorted(entries, key=lambda e: e[1]["data_offsets"]):
        begin, end = info["data_offsets"]
        numel = 1
        for d in info["shape"]:
            numel *= d
        if begin != offset or end - begin != numel * SIZES[info["dtype"]]:
            check(False, f"{name}: offsets [{begin}, {end}) contiguous and equal to dtype x shape")
        offset = end
        raw = bytearray(data[8 + n + begin:8 + n + end])
        tensors[name] = torch.frombuffer(raw, dtype=TORCH_DTYPES[info["dtype"]]).reshape(info["shape"])
    check(8 + n + offset == len(data), f"{os.path.basename(path)}: the tensors cover the file exactly ({len(data)} bytes)")
    if limit is not None:
        check(offset <= limit or len(entries) == 1, f"{os.path.basename(path)}: {offset} data bytes within the {limit}-byte limit (or a single tensor)")
    return tensors


def main():
    saved, original = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
    index_path = os.path.join(saved, "model.safetensors.index.json")
    text = open(index_path, encoding="utf-8").read()
    index = json.loads(text)
    check(text == json.dumps(index, indent=2, sort_keys=True) + "\n", "index text is json.dumps(index, indent=2, sort_keys=True) + newline")
    check(set(index) == {"metadata", "weight_map"} and set(index["metadata"]) == {"total_parameters", "total_size"}, "index keys: metadata {total_parameters, total_size}, weight_map")
    files = sorted(set(index["weight_map"].values()))
    count = len(files)
    check(files == [f"model-{i + 1:05d}-of-{count:05d}.safetensors" for i in range(count)], f"{count} shards named model-0000i-of-{count:05d}.safetensors")
    loaded = {}
    for file in files:
        tensors = read_shard(os.path.join(saved, file), limit)
        check(sorted(tensors) == sorted(k for k, v in index["weight_map"].items() if v == file), f"{file}: holds exactly the tensors the weight_map assigns to it")
        loaded.update(tensors)
    check(index["metadata"]["total_size"] == sum(t.numel() * t.element_size() for t in loaded.values()), f"total_size {index['metadata']['total_size']} is the sum of tensor bytes")
    check(index["metadata"]["total_parameters"] == sum(t.numel() for t in loaded.values()), f"total_parameters {index['metadata']['total_parameters']} is the sum of tensor elements")
    base = {k: torch.from_numpy(v.astype("float32")) for k, v in ref.read_safetensors(os.path.join(original, "model.safetensors")).items()}
    check(sorted(loaded) == sorted(base), f"the {len(loaded)} saved tensor names are the original's")
    for name, t in loaded.items():
        if t.dtype != torch.bfloat16 or not torch.equal(t.view(torch.int16), base[name].to(torch.bfloat16).view(torch.int16)):
            check(False, f"{name}: bit-identical to torch's bfloat16 cast of the original")
    check(True, "every tensor is bit-identical to torch's bfloat16 cast of the original")
    cfg = ref.Config(json.load(open(os.path.join(saved, "config.json"))))
    ids = list(range(1, 17))
    with torch.no_grad():
        a = ref.forward_document(cfg, {k: v.double() for k, v in loaded.items()}, ids)
        b = ref.forward_document(cfg, {k: v.to(torch.bfloat16).double() for k, v in base.items()}, ids)
    check(torch.equal(a, b), f"reference logits from the loaded weights equal those from the cast original (max |logit| {a.abs().max():.3f})")


if __name__ == "__main__":
    main()
