using Retain.Kernel.Backends.Cuda.Interop;

namespace Retain.Cuda.Tests.Discovery;

public class ResultNameTests
{
    [Fact]
    public void Every_bound_result_code_has_its_header_name()
    {
        CudaResultNames.Driver.Values.ShouldAllBe(n => n.StartsWith("CUDA_", StringComparison.Ordinal));
        CudaResultNames.Nvrtc.Values.ShouldAllBe(n => n.StartsWith("NVRTC_", StringComparison.Ordinal));
        CudaResultNames.Cublas.Values.ShouldAllBe(n => n.StartsWith("CUBLAS_STATUS_", StringComparison.Ordinal));
        foreach (var table in new[] { CudaResultNames.Driver, CudaResultNames.Nvrtc, CudaResultNames.Cublas })
        {
            table.Values.Distinct().Count().ShouldBe(table.Count);
        }

        // The codes the backend reacts to, and the ones the reference notes call out (NVRTC's OUT_OF_MEMORY is 1).
        CudaResultNames.Name(CudaLibrary.Driver, CudaDriver.ErrorOutOfMemory).ShouldBe("CUDA_ERROR_OUT_OF_MEMORY");
        CudaResultNames.Name(CudaLibrary.Driver, CudaDriver.ErrorNoDevice).ShouldBe("CUDA_ERROR_NO_DEVICE");
        CudaResultNames.Name(CudaLibrary.Driver, CudaDriver.ErrorStubLibrary).ShouldBe("CUDA_ERROR_STUB_LIBRARY");
        CudaResultNames.Name(CudaLibrary.Driver, 209).ShouldBe("CUDA_ERROR_NO_BINARY_FOR_GPU");
        CudaResultNames.Name(CudaLibrary.Driver, 218).ShouldBe("CUDA_ERROR_INVALID_PTX");
        CudaResultNames.Name(CudaLibrary.Driver, 700).ShouldBe("CUDA_ERROR_ILLEGAL_ADDRESS");
        CudaResultNames.Name(CudaLibrary.Nvrtc, 1).ShouldBe("NVRTC_ERROR_OUT_OF_MEMORY");
        CudaResultNames.Name(CudaLibrary.Nvrtc, 6).ShouldBe("NVRTC_ERROR_COMPILATION");
        CudaResultNames.Name(CudaLibrary.Nvrtc, 7).ShouldBe("NVRTC_ERROR_BUILTIN_OPERATION_FAILURE");
        CudaResultNames.Name(CudaLibrary.Cublas, 15).ShouldBe("CUBLAS_STATUS_NOT_SUPPORTED");
        CudaResultNames.Name(CudaLibrary.Cublas, 13).ShouldBe("CUBLAS_STATUS_EXECUTION_FAILED");
    }

    [Fact]
    public void An_unknown_code_is_named_as_such()
    {
        CudaResultNames.Name(CudaLibrary.Cublas, 12345).ShouldBe("unknown Cublas result 12345");
    }

    [Fact]
    public void Errors_name_the_call_the_code_and_the_detail()
    {
        var error = new CudaException(CudaLibrary.Driver, "cuModuleLoadData(attention.cu for sm_90, DiskCache)", 218, "a PTX JIT compilation failed");
        error.Message.ShouldBe("cuModuleLoadData(attention.cu for sm_90, DiskCache) failed with CUDA_ERROR_INVALID_PTX (218): a PTX JIT compilation failed");
        error.CodeName.ShouldBe("CUDA_ERROR_INVALID_PTX");
        new CudaException(CudaLibrary.Cublas, "cublasGemmEx", 15).Message.ShouldBe("cublasGemmEx failed with CUBLAS_STATUS_NOT_SUPPORTED (15)");
    }

    [Fact]
    public void Enum_values_match_the_cuda_headers()
    {
        // library_types.h and cublas_api.h (identical in CUDA 12.6 and 13.0).
        ((int)CudaDataType.Float32).ShouldBe(0);
        ((int)CudaDataType.BFloat16).ShouldBe(14);
        ((int)CublasComputeType.Float32).ShouldBe(68);
        ((int)CublasComputeType.Float32FastBf16).ShouldBe(75);
        ((int)CublasComputeType.Float32FastTf32).ShouldBe(77);
    }
}
