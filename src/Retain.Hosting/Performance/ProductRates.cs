using System.Diagnostics;
using Retain.Kernel.Backends;
using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Backends.Cpu.Gemm;

namespace Retain.Hosting.Performance;

/// <summary>
/// Measures the managed GEMM (split across the workers) and OpenBLAS on the exact products a training step issues: the
/// rates its lower bound is computed from (a square size's rate misstates a 256-row product's by up to 2× on a 2-core
/// machine). Per implementation, one untimed round over every product (JIT tiering, first touch), then
/// <see cref="Rounds"/> timed rounds, each product's fastest run kept. The two implementations run one after the other,
/// not interleaved: each has its own backend, and an idle backend's spinning workers would slow the other's.
/// </summary>
internal sealed class ProductRates(int threads)
{
    public int Rounds { get; init; } = 5;

    public IReadOnlyList<GemmProductRate> Measure(IReadOnlyList<GemmProduct> products)
    {
        var managed = Fastest(GemmProvider.Managed, products);
        var openBlas = CpuBackend.OpenBlasPath is null ? null : Fastest(GemmProvider.OpenBlas, products);
        return products.Select((product, p) => new GemmProductRate(product, Gflops(product, managed[p]),
            openBlas is null ? null : Gflops(product, openBlas[p]))).ToArray();
    }

    private static double Gflops(GemmProduct product, double seconds) => 2.0 * product.M * product.N * product.K / seconds / 1e9;

    private double[] Fastest(GemmProvider provider, IReadOnlyList<GemmProduct> products)
    {
        using var side = new Side(new CpuBackend(new CpuBackendOptions { Threads = threads, Gemm = provider }), products);
        var best = Enumerable.Repeat(double.PositiveInfinity, products.Count).ToArray();
        for (int round = 0; round <= Rounds; round++)
        {
            for (int p = 0; p < products.Count; p++)
            {
                double seconds = side.Time(products[p]);
                if (round > 0) best[p] = Math.Min(best[p], seconds);
            }
        }
        return best;
    }

    /// <summary>One implementation with operand buffers large enough for every product, filled once.</summary>
    private sealed class Side : IDisposable
    {
        private readonly CpuBackend _backend;
        private readonly DeviceBuffer<float> _a, _b, _c;

        public Side(CpuBackend backend, IReadOnlyList<GemmProduct> products)
        {
            _backend = backend;
            long a = products.Max(p => (long)p.M * p.K), b = products.Max(p => (long)p.K * p.N), c = products.Max(p => (long)p.M * p.N);
            _a = backend.Allocate(a);
            _b = backend.Allocate(b);
            _c = backend.Allocate(c);
            var random = new Random(1);
            var host = new float[Math.Max(a, b)];
            for (long i = 0; i < host.Length; i++) host[i] = (float)(random.NextDouble() - 0.5);
            backend.Upload(host.AsSpan(0, (int)a), _a.View);
            backend.Upload(host.AsSpan(0, (int)b), _b.View);
        }

        /// <summary>
        /// Seconds of one product C = op(A)·op(B), operands stored row-major as the ops store them; small products are
        /// repeated up to about 20 MFLOP per sample so the clock's resolution does not matter.
        /// </summary>
        public double Time(GemmProduct p)
        {
            int lda = p.TransposeA ? p.M : p.K, ldb = p.TransposeB ? p.K : p.N;
            int reps = (int)Math.Max(1, 20e6 / (2.0 * p.M * p.N * p.K));
            long start = Stopwatch.GetTimestamp();
            for (int r = 0; r < reps; r++) _backend.Gemm(p.TransposeA, p.TransposeB, p.M, p.N, p.K, 1f, _a.View, lda, _b.View, ldb, 0f, _c.View, p.N);
            return Stopwatch.GetElapsedTime(start).TotalSeconds / reps;
        }

        public void Dispose()
        {
            _a.Dispose();
            _b.Dispose();
            _c.Dispose();
            _backend.Dispose();
        }
    }
}
