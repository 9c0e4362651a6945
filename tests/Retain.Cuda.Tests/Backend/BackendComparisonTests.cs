using Retain.Kernel.Backends;
using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Backends.Cpu.Gemm;
using Retain.Kernel.Diagnostics;

namespace Retain.Cuda.Tests.Backend;

/// <summary>The harness behind <c>retain doctor --verify</c>, checked on two CPU backends and on deliberately broken ones.</summary>
public class BackendComparisonTests
{
    private static CpuBackend Reference() => new(new CpuBackendOptions { Threads = 1, Gemm = GemmProvider.Managed });

    [Fact]
    public void Two_cpu_backends_agree_on_every_op_within_fp32_tolerance()
    {
        using var reference = Reference();
        using var candidate = new CpuBackend(new CpuBackendOptions { Threads = 2 });

        var results = new BackendComparison(reference, candidate).Run();

        results.Count.ShouldBeGreaterThan(80);
        results.Where(r => !r.Passed).Select(r => $"{r.Op} {r.Output}: {r.RelativeError} {r.Error}").ShouldBeEmpty();
        results.Select(r => r.Op.Split(' ')[0]).Distinct().Count().ShouldBeGreaterThanOrEqualTo(30);
    }

    [Fact]
    public void An_element_the_candidate_leaves_unwritten_fails_through_the_poison()
    {
        using var reference = Reference();
        using var inner = new CpuBackend(new CpuBackendOptions { Threads = 1 });
        using var candidate = new FaultyBackend(inner) { SkipLastActivation = true };

        var failed = new BackendComparison(reference, candidate).Run().Where(r => !r.Passed).ToList();

        failed.Select(r => r.Op).Distinct().ShouldBe(["GatedActivationForward (Silu)", "GatedActivationForward (GeluTanh)"], ignoreOrder: true);
        failed.ShouldAllBe(r => double.IsPositiveInfinity(r.RelativeError));
    }

    [Fact]
    public void A_small_error_in_a_gemm_fails_at_fp32_tolerance_but_passes_the_bf16_bound()
    {
        using var reference = Reference();
        using var inner = new CpuBackend(new CpuBackendOptions { Threads = 1 });
        using var candidate = new FaultyBackend(inner) { GemmAlphaError = 1e-3f };

        var strict = new BackendComparison(reference, candidate).Run();
        var loose = new BackendComparison(reference, candidate, new BackendComparisonOptions { MatmulTolerance = 1e-2 }).Run();

        strict.Where(r => r.Op.StartsWith("Gemm (", StringComparison.Ordinal)).ShouldAllBe(r => !r.Passed && r.RelativeError > 1e-4 && r.RelativeError < 2e-3);
        loose.Where(r => !r.Passed).ShouldBeEmpty();
    }

    [Fact]
    public void An_op_that_throws_is_reported_with_its_message()
    {
        using var reference = Reference();
        using var inner = new CpuBackend(new CpuBackendOptions { Threads = 1 });
        using var candidate = new FaultyBackend(inner) { ThrowInAdamW = true };

        var failed = new BackendComparison(reference, candidate).Run().Where(r => !r.Passed).ToList();

        failed.Single().Op.ShouldBe("adamw");
        failed.Single().Error.ShouldBe("InvalidOperationException: AdamW is broken on purpose.");
    }

    [Fact]
    public void Relative_error_treats_nan_as_a_failure_and_honours_the_mask()
    {
        BackendComparison.RelativeError([1f, 2f, 4f], [1f, 2f, 4.004f]).ShouldBe(0.001, 1e-6);
        BackendComparison.RelativeError([1f, 2f], [1f, float.NaN]).ShouldBe(double.PositiveInfinity);
        BackendComparison.RelativeError([1f, float.NaN], [1f, float.NaN]).ShouldBe(double.PositiveInfinity);
        BackendComparison.RelativeError([1f, 5f], [1f, float.NaN], i => i == 0).ShouldBe(0);
        BackendComparison.RelativeError([0f, 0f], [0f, 1e-3f]).ShouldBe(1e-3, 1e-9);
    }
}
