#!/usr/bin/env python3
"""Cuts the parts of CUDA's headers that Retain's P/Invoke declarations depend on into excerpt files (verbatim lines,
each run headed by its line number) for InteropHeaderTests.

  extract_excerpts.py INCLUDE_DIR SOURCE_NOTE

INCLUDE_DIR holds cuda.h, cublas_api.h, library_types.h, driver_types.h, nvrtc.h; SOURCE_NOTE says where they came from (repository and
revision). The symbols and enumerators below are the ones the Interop classes bind; a test fails naming any symbol it
cannot find here, and the fix is to add it below and rerun this script."""
import re
import sys
from pathlib import Path

SYMBOLS = {
    "cuda.h": ["cuInit", "cuDriverGetVersion", "cuDeviceGetCount", "cuDeviceGet", "cuDeviceGetName", "cuDeviceGetAttribute",
               "cuDeviceTotalMem_v2", "cuDevicePrimaryCtxRetain", "cuDevicePrimaryCtxRelease_v2", "cuCtxSetCurrent",
               "cuMemAlloc_v2", "cuMemFree_v2", "cuMemGetInfo_v2", "cuMemcpyHtoDAsync_v2", "cuMemcpyDtoHAsync_v2",
               "cuMemcpyDtoDAsync_v2", "cuMemsetD32Async", "cuModuleLoadData", "cuModuleUnload", "cuModuleGetFunction",
               "cuLaunchKernel", "cuStreamCreate", "cuStreamDestroy_v2", "cuStreamSynchronize", "cuGetErrorString"],
    "cublas_api.h": ["cublasCreate_v2", "cublasDestroy_v2", "cublasSetStream_v2", "cublasGetProperty", "cublasGemmEx",
                     "cublasGemmStridedBatchedEx"],
    "nvrtc.h": ["nvrtcVersion", "nvrtcCreateProgram", "nvrtcDestroyProgram", "nvrtcCompileProgram", "nvrtcGetCUBINSize",
                "nvrtcGetCUBIN", "nvrtcGetProgramLogSize", "nvrtcGetProgramLog", "nvrtcGetErrorString"],
    "library_types.h": [],
    "driver_types.h": [],
}
# Types the prototypes of another header use (cublas_api.h's cudaStream_t).
TYPES = {"driver_types.h": ["cudaStream_t"]}
ENUMERATORS = {
    "cuda.h": ["CUDA_SUCCESS",
               "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR",
               "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR", "CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT",
               "CU_STREAM_NON_BLOCKING"],
    "cublas_api.h": ["CUBLAS_STATUS_SUCCESS", "CUBLAS_OP_N", "CUBLAS_OP_T", "CUBLAS_GEMM_DEFAULT", "CUBLAS_COMPUTE_32F", "CUBLAS_COMPUTE_32F_FAST_16BF",
                     "CUBLAS_COMPUTE_32F_FAST_TF32"],
    "library_types.h": ["CUDA_R_32F", "CUDA_R_16BF", "MAJOR_VERSION", "MINOR_VERSION", "PATCH_LEVEL"],
    "nvrtc.h": ["NVRTC_SUCCESS"],
    "driver_types.h": [],
}
# Enumerators whose whole enum is kept (its every enumerator with an explicit value): the result codes, which
# CudaResultNames names.
WHOLE_ENUMS = {"CUDA_SUCCESS", "NVRTC_SUCCESS", "CUBLAS_STATUS_SUCCESS"}
KEYWORDS = {"const", "void", "char", "int", "unsigned", "long", "float", "double", "struct", "enum", "CUDAAPI", "CUBLASAPI",
            "CUBLASWINAPI", "size_t", "short"}


def excerpt(text, header, note):
    lines = text.split("\n")
    keep = set()

    def code(i):
        stripped = lines[i].lstrip()
        return not (stripped.startswith("*") or stripped.startswith("/*") or stripped.startswith("//"))

    def statement(start):
        end = start
        while ";" not in lines[end]:
            end += 1
        return range(start, end + 1)

    types = set()
    for symbol in SYMBOLS[header]:
        names = [symbol]
        # cuda.h maps the API name to its versioned ABI symbol: "#define cuMemAlloc cuMemAlloc_v2".
        for i, line in enumerate(lines):
            m = re.match(r"#define\s+(\w+)\s+(?:__CUDA_API_PTSZ\(|__CUDA_API_PTDS\()?(\w+)\)?\s*$", line)
            if m and (m.group(2) == symbol or m.group(1) == symbol):
                keep.add(i)
                names.append(m.group(1))
        found = False
        for i, line in enumerate(lines):
            if line[:1].isspace() or not code(i):
                continue  # indented prototypes are the legacy ones after #undef at the end of cuda.h
            if any(re.search(r"[\s*]" + re.escape(name) + r"\s*\(", line) for name in names) and not line.startswith("#"):
                rows = statement(i)
                keep.update(rows)
                for row in rows:
                    types.update(re.findall(r"\b[A-Za-z_]\w*\b", lines[row].split("(", 1)[-1] if row == i else lines[row]))
                    types.update(re.findall(r"\b[A-Za-z_]\w*\b", lines[row].split("(", 1)[0]) if row == i else [])
                found = True
                break
        if not found:
            sys.exit(f"{header}: no prototype of {symbol}")

    # The typedefs of every type the prototypes name, followed to plain C types.
    pending = sorted(t for t in types if t not in KEYWORDS) + TYPES.get(header, [])
    seen = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        for i, line in enumerate(lines):
            m = re.match(r"\s*typedef\s+(.*?)\b" + re.escape(name) + r"\s*;", line)
            if m and code(i):
                keep.add(i)
                pending.extend(t for t in re.findall(r"\b[A-Za-z_]\w*\b", m.group(1)) if t not in KEYWORDS)
                break
            if re.match(r"\s*}\s*" + re.escape(name) + r"\s*;", line):
                # An enum's closing line; its opening line is kept too, the enumerators only where named below.
                j = i
                while not re.match(r"\s*typedef\s+enum", lines[j]):
                    j -= 1
                keep.update([j, i])
                break
    for enumerator in ENUMERATORS[header]:
        for i, line in enumerate(lines):
            if re.match(r"\s*" + re.escape(enumerator) + r"\s*([=,]|$)", line) and code(i):
                keep.add(i)
                # The enum it belongs to: its opening and closing lines.
                j = i
                while not re.match(r"\s*typedef\s+enum|\s*enum\b", lines[j]):
                    j -= 1
                k = i
                while not re.match(r"\s*}", lines[k]):
                    k += 1
                keep.update([j, k])
                if "=" not in line:
                    keep.update(range(j, k + 1))  # implicit values: the whole enum, so its order can be counted
                elif enumerator in WHOLE_ENUMS:
                    keep.update(r for r in range(j, k + 1) if code(r) and re.match(r"\s*\w+\s*=", lines[r]))
                break
        else:
            sys.exit(f"{header}: no enumerator {enumerator}")
    version = re.search(r"#define\s+CUDA_VERSION\s+\d+", text)
    if version:
        keep.add(text[:version.start()].count("\n"))

    out = [f"// Excerpt of include/{header} from {note}, cut by extract_excerpts.py:",
           "// verbatim lines of the header; each run starts with '// line N', its line number there."]
    previous = None
    for i in sorted(keep):
        if previous is None or i != previous + 1:
            out.append(f"// line {i + 1}")
        out.append(lines[i])
        previous = i
    return "\n".join(out) + "\n"


def main():
    folder, note = Path(sys.argv[1]), sys.argv[2]
    here = Path(__file__).resolve().parent
    for header in SYMBOLS:
        text = (folder / header).read_text(encoding="utf-8", errors="replace")
        (here / (header + ".excerpt")).write_text(excerpt(text, header, note), encoding="utf-8")


if __name__ == "__main__":
    main()
