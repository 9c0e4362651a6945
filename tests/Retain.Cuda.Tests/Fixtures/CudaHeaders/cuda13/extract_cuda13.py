#!/usr/bin/env python3
"""Cuts the CUDA 13 declarations that Retain's P/Invoke bindings depend on out of NVIDIA's generated Cython bindings
(verbatim lines, each run headed by its line number there) into the *.excerpt files beside this script, for
InteropHeaderTests. No public repository carries CUDA 13's own cuda.h; NVIDIA's bindings are generated from it.

  extract_cuda13.py CUDA_PYTHON_DIR CUDA_PYTHON_NOTE NVMATH_DIR NVMATH_NOTE

CUDA_PYTHON_DIR is a tree of NVIDIA/cuda-python (generated with CUDA 13.0.0, e.g. commit c016d65d), NVMATH_DIR one of
NVIDIA/nvmath-python (cuBLAS, generated across CUDA 11.0.3 to 13.0.0, e.g. tag v0.7.0); the notes say which revision.
From a bare mirror: git archive COMMIT cuda_bindings/cuda/bindings | tar -x -C DIR.

Per library three kinds of lines are kept:
  - the prototype under the API name (cydriver.pxd.in: "cdef CUresult cuMemAlloc(...)", headed by the
    "{{if 'cuMemAlloc_v2' in found_functions}}" guard that names its ABI symbol; cycublas.pxd: "cdef cublasStatus_t
    cublasCreate(...)") and the typedefs, structs and enums its types go through;
  - the loader's Linux dlsym of the ABI symbol outside the per-thread-default-stream branch
    ("__cuMemAlloc_v2 = dlfcn.dlsym(handle, 'cuMemAlloc_v2')"), and for cuBLAS the wrapper that maps the API name to
    it ("cdef cublasStatus_t _cublasCreate(...)" followed by "global __cublasCreate_v2");
  - the enumerators the C# side hard-codes or names (whole enums for the result codes).
A test fails naming any binding it cannot find here; the fix is to add the API name below and rerun this script."""
import re
import sys
from pathlib import Path

DRIVER = ["cuInit", "cuDriverGetVersion", "cuDeviceGetCount", "cuDeviceGet", "cuDeviceGetName", "cuDeviceGetAttribute",
          "cuDeviceTotalMem", "cuDevicePrimaryCtxRetain", "cuDevicePrimaryCtxRelease", "cuCtxSetCurrent", "cuMemAlloc",
          "cuMemFree", "cuMemGetInfo", "cuMemcpyHtoDAsync", "cuMemcpyDtoHAsync", "cuMemcpyDtoDAsync", "cuMemsetD32Async",
          "cuModuleLoadData", "cuModuleUnload", "cuModuleGetFunction", "cuLaunchKernel", "cuStreamCreate",
          "cuStreamDestroy", "cuStreamSynchronize", "cuGetErrorString"]
NVRTC = ["nvrtcVersion", "nvrtcCreateProgram", "nvrtcDestroyProgram", "nvrtcCompileProgram", "nvrtcGetCUBINSize",
         "nvrtcGetCUBIN", "nvrtcGetProgramLogSize", "nvrtcGetProgramLog", "nvrtcGetErrorString"]
CUBLAS = ["cublasCreate", "cublasDestroy", "cublasSetStream", "cublasGetProperty", "cublasGemmEx",
          "cublasGemmStridedBatchedEx"]
# The functions CUDA 13.0 changed (new ABI version or parameters) that a binding must not use in their CUDA 12 form;
# their CUDA 13 prototypes are kept so the test can say so if one is ever bound.
DRIVER_CHANGED_IN_13 = ["cuCtxCreate", "cuMemPrefetchAsync", "cuMemAdvise", "cuDeviceGetUuid"]

# (enumerator, whole enum?) per file.
DRIVER_ENUMERATORS = [("CUDA_SUCCESS", True), ("CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT", False),
                      ("CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR", False),
                      ("CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR", False), ("CU_STREAM_NON_BLOCKING", False)]
NVRTC_ENUMERATORS = [("NVRTC_SUCCESS", True)]
LIBRARY_ENUMERATORS = [("CUDA_R_32F", False), ("CUDA_R_16BF", False), ("MAJOR_VERSION", True)]
CUBLAS_ENUMERATORS = [("CUBLAS_STATUS_SUCCESS", True), ("CUBLAS_OP_N", False), ("CUBLAS_OP_T", False),
                      ("CUBLAS_GEMM_DEFAULT", False), ("CUBLAS_COMPUTE_32F", False),
                      ("CUBLAS_COMPUTE_32F_FAST_16BF", False), ("CUBLAS_COMPUTE_32F_FAST_TF32", False)]

KEYWORDS = {"const", "void", "char", "int", "unsigned", "long", "float", "double", "size_t", "short", "cdef", "except",
            "nogil", "noexcept"}
HEADING = re.compile(r"#.*(SPDX|Copyright|automatically generated)")


class Excerpt:
    """The lines of one upstream file to keep."""

    def __init__(self, root, rel):
        self.rel, self.path = rel, root / rel
        self.lines = self.path.read_text(encoding="utf-8").split("\n")
        self.keep = {i for i, line in enumerate(self.lines[:8]) if HEADING.match(line)}
        if not any("automatically generated" in self.lines[i] for i in self.keep):
            sys.exit(f"{self.path}: no 'automatically generated with version …' line at its top")

    def find(self, pattern, what, start=0):
        for i in range(start, len(self.lines)):
            if re.search(pattern, self.lines[i]):
                return i
        sys.exit(f"{self.path}: no {what}")

    def prototype(self, name, guarded):
        """The API-name prototype (and the found_functions guard above it); returns the ABI symbol and type names."""
        i = self.find(r"^cdef\s+[\w\s*]+?[\s*]" + re.escape(name) + r"\(", f"prototype of {name}")
        self.keep.add(i)
        abi = name
        if guarded:
            j = i
            while not self.lines[j].startswith("{{if "):
                j -= 1
            self.keep.add(j)
            abi = re.match(r"\{\{if '(\w+)' in found_functions\}\}", self.lines[j]).group(1)
        head, params = self.lines[i].split("(", 1)
        types = re.findall(r"\b[A-Za-z_]\w*\b", head)[1:-1] + re.findall(r"\b[A-Za-z_]\w*\b", params.split(")")[0])
        return abi, {t for t in types if t not in KEYWORDS}

    def types(self, names):
        """The typedef, struct or enum line of each type, followed to plain C types."""
        pending, seen = sorted(names), set()
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            for i, line in enumerate(self.lines):
                typedef = re.match(r"\s*ctypedef\s+(?!enum\b)(.*?)\b" + re.escape(name) + r"""(\s+['"]\w+['"])?\s*$""", line)
                if typedef:
                    self.keep.add(i)
                    pending.extend(t for t in re.findall(r"\b[A-Za-z_]\w*\b", typedef.group(1)) if t not in KEYWORDS)
                    break
                if re.match(r"\s*(cdef|ctypedef)\s+(struct|enum)\s+" + re.escape(name) + r"""\b(\s+['"]\w+['"])?\s*:""", line):
                    self.keep.add(i)
                    break

    def enumerator(self, name, whole):
        i = self.find(r"^\s+" + re.escape(name) + r"""(\s+"\w+")?\s*=""", f"enumerator {name}")
        j = i
        while not re.match(r"\s*(cdef|ctypedef)\s+enum\b", self.lines[j]):
            j -= 1
        self.keep.update([i, j])
        if whole:
            indent = len(self.lines[j + 1]) - len(self.lines[j + 1].lstrip())
            k = j + 1
            while k < len(self.lines) and self.lines[k].strip() and len(self.lines[k]) - len(self.lines[k].lstrip()) == indent:
                self.keep.add(k)
                k += 1

    def dlsyms(self, symbols, call):
        """The Linux dlsym line of each symbol outside an 'if usePTDS:' branch, with the branch lines around them."""
        ptds_indent, in_dlsym_section, found = None, False, set()
        for i, line in enumerate(self.lines):
            indent = len(line) - len(line.lstrip())
            if ptds_indent is not None and line.strip() and indent <= ptds_indent:
                if line.strip() == "else:" and indent == ptds_indent and in_dlsym_section:
                    self.keep.add(i)
                ptds_indent = None
            if re.match(r"\s*if usePTDS:\s*$", line):
                ptds_indent = indent
                if in_dlsym_section:
                    self.keep.add(i)
                continue
            if ptds_indent is not None:
                continue
            m = re.search(re.escape(call) + r"\(handle, '(\w+)'\)", line)
            if m and m.group(1) in symbols and m.group(1) not in found:
                self.keep.add(i)
                found.add(m.group(1))
            elif re.match(r"\s*# Load using dlsym\s*$", line):
                self.keep.add(i)
                in_dlsym_section = True
            elif in_dlsym_section and re.match(r"\s*# Get remaining functions\s*$", line):
                self.keep.add(i)
        missing = sorted(set(symbols) - found)
        if missing:
            sys.exit(f"{self.path}: no Linux {call} of {', '.join(missing)}")

    def wrappers(self, names):
        """cuBLAS's loader: "cdef cublasStatus_t _cublasCreate(...)" and its "global __cublasCreate_v2"; returns the ABI names."""
        abis = {}
        for name in names:
            i = self.find(r"^cdef\s+\w+\s+_" + re.escape(name) + r"\(", f"wrapper _{name}")
            g = self.find(r"^\s+global __\w+", f"global of _{name}", i)
            self.keep.update([i, g])
            abis[name] = re.match(r"\s+global __(\w+)", self.lines[g]).group(1)
        return abis

    def write(self, folder, note):
        out = [f"// Excerpt of {note}, cut by extract_cuda13.py:",
               "// verbatim lines of the file; each run starts with '// line N', its line number there."]
        previous = None
        for i in sorted(self.keep):
            if previous is None or i != previous + 1:
                out.append(f"// line {i + 1}")
            out.append(self.lines[i])
            previous = i
        (folder / (self.path.name + ".excerpt")).write_text("\n".join(out) + "\n", encoding="utf-8")


def library(declarations, loader, names, enumerators, note, folder):
    abis, types = [], set()
    for name in names:
        abi, used = declarations.prototype(name, guarded=True)
        abis.append(abi)
        types |= used
    declarations.types(types)
    for name, whole in enumerators:
        declarations.enumerator(name, whole)
    loader.dlsyms(abis, "dlfcn.dlsym")
    declarations.write(folder, f"{declarations.rel} from {note}")
    loader.write(folder, f"{loader.rel} from {note}")


def main():
    cuda_python, cuda_note, nvmath, nvmath_note = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), sys.argv[4]
    here = Path(__file__).resolve().parent

    bindings = "cuda_bindings/cuda/bindings/"
    library(Excerpt(cuda_python, bindings + "cydriver.pxd.in"), Excerpt(cuda_python, bindings + "_bindings/cydriver.pyx.in"),
            DRIVER + DRIVER_CHANGED_IN_13, DRIVER_ENUMERATORS, cuda_note, here)
    library(Excerpt(cuda_python, bindings + "cynvrtc.pxd.in"), Excerpt(cuda_python, bindings + "_bindings/cynvrtc.pyx.in"),
            NVRTC, NVRTC_ENUMERATORS, cuda_note, here)
    runtime_types = Excerpt(cuda_python, bindings + "cyruntime_types.pxi.in")
    for name, whole in LIBRARY_ENUMERATORS:
        runtime_types.enumerator(name, whole)
    runtime_types.write(here, f"{runtime_types.rel} from {cuda_note}")

    cycublas = Excerpt(nvmath, "nvmath/bindings/cycublas.pxd")
    loader = Excerpt(nvmath, "nvmath/bindings/_internal/cublas_linux.pyx")
    types = set()
    for name in CUBLAS:
        types |= cycublas.prototype(name, guarded=False)[1]
    cycublas.types(types)
    for name, whole in CUBLAS_ENUMERATORS:
        cycublas.enumerator(name, whole)
    abis = loader.wrappers(CUBLAS)
    loader.dlsyms(list(abis.values()), "dlsym")
    cycublas.write(here, f"{cycublas.rel} from {nvmath_note}")
    loader.write(here, f"{loader.rel} from {nvmath_note}")


if __name__ == "__main__":
    main()
