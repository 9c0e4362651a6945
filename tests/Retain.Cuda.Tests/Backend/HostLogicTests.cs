using Retain.Cuda.Tests.Fakes;
using Retain.Kernel.Backends;
using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Backends.Cpu.Gemm;
using Retain.Kernel.Backends.Cuda;
using Retain.Kernel.Backends.Cuda.Compilation;
using Retain.Kernel.Backends.Cuda.Interop;
using Retain.Kernel.Backends.Cuda.Memory;
using Retain.Kernel.Diagnostics;

namespace Retain.Cuda.Tests.Backend;

/// <summary>
/// The CUDA backend's host side on a recording fake device: every op's launches name real kernels with arguments of
/// the declared kinds and pointers inside live buffers, every GEMM's operands fit their buffers, and the GEMM plumbing
/// (row-major ops through column-major cuBLAS calls) computes what the CPU computes. Kernels themselves need a GPU.
/// </summary>
public class HostLogicTests
{
    private static CudaBackend Backend(RecordingDevice device, CudaMatmulPrecision precision = CudaMatmulPrecision.Fp32) =>
        new(device, new CudaBackendOptions { Matmul = precision });

    private static CpuBackend Cpu() => new(new CpuBackendOptions { Threads = 1, Gemm = GemmProvider.Managed });

    [Theory]
    [InlineData(CudaMatmulPrecision.Fp32)]
    [InlineData(CudaMatmulPrecision.Bf16)]
    [InlineData(CudaMatmulPrecision.Tf32)]
    public void Every_op_launches_declared_kernels_on_live_buffers(CudaMatmulPrecision precision)
    {
        using var device = new RecordingDevice();
        using var cuda = Backend(device, precision);
        using var cpu = Cpu();

        var results = new BackendComparison(cpu, cuda).Run();

        results.Where(r => r.Error is not null).Select(r => $"{r.Op}: {r.Error}").ShouldBeEmpty();
        var launched = device.Launches.Select(l => l.Kernel).ToHashSet();
        var expected = CudaKernels.All.Where(k => precision == CudaMatmulPrecision.Bf16 || k != CudaKernels.CastBf16);
        expected.Where(k => !launched.Contains(k)).Select(k => k.Name).ShouldBeEmpty();
        device.Launches.ShouldAllBe(l => l.Block == CudaKernels.Block);
    }

    [Fact]
    public void Gemm_and_linear_layers_through_column_major_cublas_calls_match_the_cpu()
    {
        using var device = new RecordingDevice();
        using var cuda = Backend(device);
        using var cpu = Cpu();

        var results = new BackendComparison(cpu, cuda).Run();

        // These outputs come from GEMMs and copies alone, which the fake device executes.
        var pure = results.Where(r => r.Op.StartsWith("Gemm (", StringComparison.Ordinal) || r.Op == "LinearForward (no bias)" ||
                                      r.Op == "LinearBackward (frozen weight)" || r.Op.StartsWith("Upload", StringComparison.Ordinal) ||
                                      r.Op is "Copy" or "Fill" or "Allocate" || (r.Op == "LinearBackward" && r.Output != "biasGrad (+=)")).ToList();
        pure.Count.ShouldBe(8 + 1 + 1 + 2 + 3 + 2);
        pure.Where(r => !r.Passed).Select(r => $"{r.Op} {r.Output}: {r.RelativeError}").ShouldBeEmpty();
        device.Gemms.ShouldAllBe(g => g.Compute == CublasComputeType.Float32 && g.AType == CudaDataType.Float32);
    }

    [Fact]
    public void Bf16_gemms_round_both_operands_with_the_cast_kernel_and_accumulate_in_fp32()
    {
        using var device = new RecordingDevice();
        using var cuda = Backend(device, CudaMatmulPrecision.Bf16);
        using var a = cuda.Allocate(6 * 4);
        using var b = cuda.Allocate(4 * 5);
        using var c = cuda.Allocate(6 * 5);

        cuda.Gemm(false, false, 6, 5, 4, 1f, a.View, 4, b.View, 5, 1f, c.View, 5);

        device.Launches.Count(l => l.Kernel == CudaKernels.CastBf16).ShouldBe(2);
        var gemm = device.Gemms.Single();
        gemm.AType.ShouldBe(CudaDataType.BFloat16);
        gemm.BType.ShouldBe(CudaDataType.BFloat16);
        gemm.Compute.ShouldBe(CublasComputeType.Float32);
        gemm.Beta.ShouldBe(1f);
        // Row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ: operands swap and m, n swap.
        (gemm.M, gemm.N, gemm.K, gemm.Lda, gemm.Ldb, gemm.Ldc).ShouldBe((5, 6, 4, 5, 4, 5));
        gemm.C.ShouldBe(device.Allocations.Keys.Single(k => k <= gemm.C && gemm.C < k + (ulong)device.Allocations[k]));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Attention_batches_its_gemms_over_kv_heads_per_row_and_group_position(bool saveProbabilities)
    {
        using var device = new RecordingDevice();
        using var cuda = Backend(device, CudaMatmulPrecision.Bf16);
        const int rows = 2, T = 5, heads = 6, kvHeads = 2, hd = 8, group = heads / kvHeads;
        using var q = cuda.Allocate(rows * T * heads * hd);
        using var k = cuda.Allocate(rows * T * kvHeads * hd);
        using var v = cuda.Allocate(rows * T * kvHeads * hd);
        using var o = cuda.Allocate(rows * T * heads * hd);
        using var saved = cuda.Allocate(rows * heads * T * (saveProbabilities ? T : 1));
        using var starts = cuda.AllocateInt(rows * T);

        cuda.AttentionForward(o.View, saved.View, q.View, k.View, v.View, starts.View, rows, T, heads, kvHeads, hd, 0.3f, saveProbabilities);

        device.Gemms.Count.ShouldBe(rows * group * 2);
        device.Gemms.ShouldAllBe(g => g.BatchCount == kvHeads && g.Compute == CublasComputeType.Float32FastBf16);
        var scores = device.Gemms[0];
        // Query heads b·group + g sit group·hd apart and kv heads hd apart (cuBLAS sees them swapped: row-major C = A·B
        // is column-major Cᵀ = Bᵀ·Aᵀ); kept score matrices are group·T² apart, scratch ones T².
        (scores.StrideA, scores.StrideB, scores.StrideC, scores.Alpha).ShouldBe(((long)hd, (long)group * hd, (saveProbabilities ? group : 1L) * T * T, 0.3f));
        device.Launches.Count(l => l.Kernel == CudaKernels.AttentionSoftmax).ShouldBe(rows * group);

        device.Gemms.Clear();
        using var dq = cuda.Allocate(rows * T * heads * hd);
        using var dk = cuda.Allocate(rows * T * kvHeads * hd);
        using var dv = cuda.Allocate(rows * T * kvHeads * hd);
        cuda.AttentionBackward(dq.View, dk.View, dv.View, o.View, q.View, k.View, v.View, saved.View, starts.View, rows, T, heads, kvHeads, hd, 0.3f, saveProbabilities);
        int perGroup = saveProbabilities ? 4 : 5;
        device.Gemms.Count.ShouldBe(rows * group * perGroup);
        device.Launches.Count(l => l.Kernel == CudaKernels.AttentionRecompute).ShouldBe(saveProbabilities ? 0 : rows * group);
        // Per (row, g): [recomputed S,] dP, dV, dQ, dK. dV and dK are overwritten by the group's first query head and
        // accumulated by the others.
        int first = perGroup - 4;
        var accumulating = device.Gemms.Where((_, i) => i % perGroup == first + 1 || i % perGroup == first + 3).Select(g => g.Beta).ToArray();
        accumulating.ShouldBe(Enumerable.Range(0, rows * group).SelectMany(i => i % group == 0 ? new[] { 0f, 0f } : [1f, 1f]).ToArray());
    }

    [Fact]
    public void Index_errors_recorded_by_a_kernel_surface_at_the_next_download_and_are_cleared()
    {
        using var device = new RecordingDevice();
        using var cuda = Backend(device);
        using var x = cuda.Allocate(3);
        device.Poke(cuda.ErrorWordAddress, [DeviceErrors.TokenId, 3, 999, 97]);

        var error = Should.Throw<ArgumentOutOfRangeException>(() => cuda.Download(x.View, new float[3]));
        error.Message.ShouldStartWith("Token id 999 at row 3 is outside the vocabulary of 97.");
        cuda.Download(x.View, new float[3]);
        cuda.Synchronize();
    }

    [Fact]
    public void Buffers_are_zero_filled_and_freed_blocks_are_reused_without_the_driver()
    {
        using var device = new RecordingDevice();
        using var cuda = Backend(device);
        int before = device.DeviceAllocations;
        var first = cuda.Allocate(1000);
        var host = new float[1000];
        cuda.Download(first.View, host);
        host.ShouldAllBe(v => v == 0f);
        cuda.Upload(Enumerable.Repeat(5f, 1000).ToArray(), first.View);
        first.Dispose();
        using var second = cuda.Allocate(990);
        device.DeviceAllocations.ShouldBe(before + 1);
        var again = new float[990];
        cuda.Download(second.View, again);
        again.ShouldAllBe(v => v == 0f);
    }

    [Fact]
    public void Buffers_of_another_backend_are_rejected_by_name()
    {
        using var device = new RecordingDevice();
        using var cuda = Backend(device);
        using var cpu = Cpu();
        using var foreign = cpu.Allocate(4);
        using var own = cuda.Allocate(4);
        var error = Should.Throw<ArgumentException>(() => cuda.Add(own.View, foreign.View, own.View));
        error.Message.ShouldStartWith("Argument 'a' is not a buffer of this CUDA backend.");
        Should.Throw<ArgumentException>(() => cuda.LinearForward(own.View, own.View, own.View, BufferView<float>.None, 2, 3, 2))
            .Message.ShouldStartWith("Argument 'input' has 4 elements; the op needs 6.");
    }
}
