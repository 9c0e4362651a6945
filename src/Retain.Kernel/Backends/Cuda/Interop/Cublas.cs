using System.Runtime.InteropServices;
using Retain.Kernel.Backends.Cuda.Discovery;

namespace Retain.Kernel.Backends.Cuda.Interop;

/// <summary>cudaDataType values (library_types.h).</summary>
internal enum CudaDataType
{
    /// <summary>CUDA_R_32F.</summary>
    Float32 = 0,
    /// <summary>CUDA_R_16BF.</summary>
    BFloat16 = 14,
}

/// <summary>cublasComputeType_t values (cublas_api.h).</summary>
internal enum CublasComputeType
{
    /// <summary>CUBLAS_COMPUTE_32F: fp32 accumulation, fp32 (or bf16 with bf16 operands) multiplication.</summary>
    Float32 = 68,
    /// <summary>CUBLAS_COMPUTE_32F_FAST_16BF: fp32 operands rounded to bf16 for tensor cores, fp32 accumulation.</summary>
    Float32FastBf16 = 75,
    /// <summary>CUBLAS_COMPUTE_32F_FAST_TF32: fp32 operands rounded to tf32, fp32 accumulation.</summary>
    Float32FastTf32 = 77,
}

/// <summary>
/// The cuBLAS calls Retain uses (signatures identical in CUDA 12.x and 13.0): a handle on the backend's stream and
/// column-major GemmEx / GemmStridedBatchedEx with host-side float alpha/beta. cuBLASLt is loaded first by absolute
/// path because libcublas links against it.
/// </summary>
internal sealed unsafe class Cublas
{
    private const int OpN = 0, OpT = 1;
    private const int GemmDefault = -1;

    private readonly delegate* unmanaged<nint*, int> _create;
    private readonly delegate* unmanaged<nint, int> _destroy;
    private readonly delegate* unmanaged<nint, nint, int> _setStream;
    private readonly delegate* unmanaged<int, int*, int> _getProperty;
    private readonly delegate* unmanaged<nint, int, int, int, int, int, float*, ulong, int, int, ulong, int, int, float*, ulong, int, int, int, int, int> _gemmEx;
    private readonly delegate* unmanaged<nint, int, int, int, int, int, float*, ulong, int, int, long, ulong, int, int, long, float*, ulong, int, int, long, int, int, int, int> _gemmStridedBatchedEx;

    public Cublas(NativeLibraryFile library, NativeLibraryFile lt)
    {
        Library = library;
        LtLibrary = lt;
        _create = (delegate* unmanaged<nint*, int>)library.Export("cublasCreate_v2");
        _destroy = (delegate* unmanaged<nint, int>)library.Export("cublasDestroy_v2");
        _setStream = (delegate* unmanaged<nint, nint, int>)library.Export("cublasSetStream_v2");
        _getProperty = (delegate* unmanaged<int, int*, int>)library.Export("cublasGetProperty");
        _gemmEx = (delegate* unmanaged<nint, int, int, int, int, int, float*, ulong, int, int, ulong, int, int, float*, ulong, int, int, int, int, int>)library.Export("cublasGemmEx");
        _gemmStridedBatchedEx = (delegate* unmanaged<nint, int, int, int, int, int, float*, ulong, int, int, long, ulong, int, int, long, float*, ulong, int, int, long, int, int, int, int>)
            library.Export("cublasGemmStridedBatchedEx");
    }

    public NativeLibraryFile Library { get; }

    public NativeLibraryFile LtLibrary { get; }

    private static void Check(int status, string call)
    {
        if (status != 0) throw new CudaException(CudaLibrary.Cublas, call, status);
    }

    /// <summary>"major.minor.patch" from cublasGetProperty (no handle or GPU needed).</summary>
    public string Version()
    {
        int major, minor, patch;
        Check(_getProperty(0, &major), "cublasGetProperty");
        Check(_getProperty(1, &minor), "cublasGetProperty");
        Check(_getProperty(2, &patch), "cublasGetProperty");
        return $"{major}.{minor}.{patch}";
    }

    public nint Create(nint stream)
    {
        nint handle;
        Check(_create(&handle), "cublasCreate_v2");
        Check(_setStream(handle, stream), "cublasSetStream_v2");
        return handle;
    }

    public void Destroy(nint handle) => Check(_destroy(handle), "cublasDestroy_v2");

    /// <summary>Column-major C = alpha·op(A)·op(B) + beta·C (one matrix, or <paramref name="call"/>.BatchCount strided ones).</summary>
    public void Gemm(nint handle, in GemmCall call)
    {
        float alpha = call.Alpha, beta = call.Beta;
        int opA = call.TransA ? OpT : OpN, opB = call.TransB ? OpT : OpN;
        if (call.BatchCount == 1)
        {
            Check(_gemmEx(handle, opA, opB, call.M, call.N, call.K, &alpha, call.A, (int)call.AType, call.Lda, call.B, (int)call.BType, call.Ldb,
                &beta, call.C, (int)CudaDataType.Float32, call.Ldc, (int)call.Compute, GemmDefault), "cublasGemmEx");
        }
        else
        {
            Check(_gemmStridedBatchedEx(handle, opA, opB, call.M, call.N, call.K, &alpha, call.A, (int)call.AType, call.Lda, call.StrideA,
                call.B, (int)call.BType, call.Ldb, call.StrideB, &beta, call.C, (int)CudaDataType.Float32, call.Ldc, call.StrideC,
                call.BatchCount, (int)call.Compute, GemmDefault), "cublasGemmStridedBatchedEx");
        }
    }
}

/// <summary>
/// One cuBLAS GEMM in cuBLAS's own column-major terms: C (M×N, ldc) = alpha·op(A)·op(B) + beta·C with op(A) M×K and
/// op(B) K×N; C is always fp32. BatchCount &gt; 1 makes it strided-batched (element strides).
/// </summary>
internal readonly record struct GemmCall(
    bool TransA, bool TransB, int M, int N, int K, float Alpha,
    ulong A, CudaDataType AType, int Lda, long StrideA,
    ulong B, CudaDataType BType, int Ldb, long StrideB,
    float Beta, ulong C, int Ldc, long StrideC, int BatchCount, CublasComputeType Compute);
