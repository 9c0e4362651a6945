using Retain.Kernel.Backends;
using Retain.Kernel.Tests.Reference;
using static Retain.Kernel.Tests.Reference.Numerics;

namespace Retain.Kernel.Tests.Ops;

public sealed class ActivationLossOptimizerTests : OpTestBase
{
    [Theory]
    [InlineData("managed-1", Activation.Silu)]
    [InlineData("managed-2", Activation.GeluTanh)]
    [InlineData("openblas-2", Activation.Silu)]
    public void Gated_activation_forward_and_backward_match_reference(string backendName, Activation activation)
    {
        using var b = CreateBackend(backendName);
        int n = 5000;
        bool gelu = activation == Activation.GeluTanh;
        var g = Random(n, 1, 6);
        var u = Random(n, 2);
        var dy = Random(n, 3);
        using var gb = Up(b, g);
        using var ub = Up(b, u);
        using var y = b.Allocate(n);
        b.GatedActivationForward(y.View, gb.View, ub.View, n, activation);
        RelativeError(Down(b, y), ReferenceOps.GatedForward(g, u, gelu)).ShouldBeLessThan(1e-5);
        var (dgRef, duRef) = ReferenceOps.GatedBackward(dy, g, u, gelu);
        using var dyb = Up(b, dy);
        using var dg = b.Allocate(n);
        using var du = b.Allocate(n);
        b.GatedActivationBackward(dg.View, du.View, dyb.View, gb.View, ub.View, n, activation);
        RelativeError(Down(b, dg), dgRef).ShouldBeLessThan(1e-5);
        RelativeError(Down(b, du), duRef).ShouldBeLessThan(1e-5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gated_activation_reference_backward_matches_finite_differences(bool gelu)
    {
        var g = Random(20, 4, 4);
        var u = Random(20, 5);
        var r = Random(20, 6);
        var (dg, du) = ReferenceOps.GatedBackward(r, g, u, gelu);
        RelativeError(dg, FiniteDifference(x => Dot(ReferenceOps.GatedForward(x, u, gelu), r), g)).ShouldBeLessThan(1e-7);
        RelativeError(du, FiniteDifference(x => Dot(ReferenceOps.GatedForward(g, x, gelu), r), u)).ShouldBeLessThan(1e-7);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Cross_entropy_forward_and_backward_match_reference(string backendName)
    {
        using var b = CreateBackend(backendName);
        int rows = 37, vocab = 301;
        var logits = Random(rows * vocab, 1, 8);
        var targets = Enumerable.Range(0, rows).Select(i => (i * 53) % vocab).ToArray();
        // Make row 0's target the argmax and row 1's target tie with an earlier index.
        logits[targets[0]] = 100;
        logits[vocab + 3] = 100;
        logits[vocab + targets[1]] = 100;
        var coefficients = Random(rows, 2);
        using var lb = Up(b, logits);
        using var tb = Up(b, targets);
        using var nll = b.Allocate(rows);
        using var lse = b.Allocate(rows);
        using var argmax = b.AllocateInt(rows);
        b.CrossEntropyForward(nll.View, lse.View, argmax.View, lb.View, tb.View, rows, vocab);
        RelativeError(Down(b, nll), ReferenceOps.CrossEntropyNll(logits, targets, vocab)).ShouldBeLessThan(1e-5);
        var isArgmax = new int[rows];
        b.Download(argmax.View, isArgmax);
        isArgmax[0].ShouldBe(1);
        isArgmax[1].ShouldBe(0);

        using var cb = Up(b, coefficients);
        b.CrossEntropyBackward(lb.View, lse.View, tb.View, cb.View, rows, vocab);
        RelativeError(Down(b, lb), ReferenceOps.CrossEntropyBackward(logits, targets, coefficients, vocab)).ShouldBeLessThan(1e-5);
    }

    [Fact]
    public void Cross_entropy_reference_backward_matches_finite_differences()
    {
        int rows = 3, vocab = 5;
        var logits = Random(rows * vocab, 1, 3);
        int[] targets = [4, 0, 2];
        var c = Random(rows, 2);
        var fd = FiniteDifference(x => Dot(ReferenceOps.CrossEntropyNll(x, targets, vocab), c), logits);
        RelativeError(ReferenceOps.CrossEntropyBackward(logits, targets, c, vocab), fd).ShouldBeLessThan(1e-7);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void AdamW_matches_a_float64_transcription_of_pytorch(string backendName)
    {
        using var b = CreateBackend(backendName);
        int n = 1003; // not a multiple of 16 or 8: the Vector512, Vector256 and scalar paths all run
        var p = Random(n, 1);
        var m = new double[n];
        var v = new double[n];
        using var pb = Up(b, p);
        using var mb = b.Allocate(n);
        using var vb = b.Allocate(n);
        double lr = 1e-2, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
        for (int step = 1; step <= 3; step++)
        {
            var g = Random(n, 10 + step);
            using var gb = Up(b, g);
            b.AdamWStep(pb.View, gb.View, mb.View, vb.View, lr, b1, b2, eps, wd, step);
            for (int i = 0; i < n; i++)
            {
                p[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                p[i] -= lr / (1 - Math.Pow(b1, step)) * m[i] / (Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(b2, step)) + eps);
            }
        }
        RelativeError(Down(b, pb), p).ShouldBeLessThan(1e-5);
        RelativeError(Down(b, mb), m).ShouldBeLessThan(1e-5);
        RelativeError(Down(b, vb), v).ShouldBeLessThan(1e-5);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Reductions_and_elementwise_ops_match_reference(string backendName)
    {
        using var b = CreateBackend(backendName);
        int n = 200_001;
        var x = Random(n, 1);
        var y = Random(n, 2);
        using var xb = Up(b, x);
        using var yb = Up(b, y);
        double ss = x.Sum(v => (double)(float)v * (float)v);
        Math.Abs(b.SumOfSquares(xb.View) - ss).ShouldBeLessThan(1e-6 * ss);
        double dist = x.Select((v, i) => ((double)(float)v - (float)y[i]) * ((double)(float)v - (float)y[i])).Sum();
        Math.Abs(b.SquaredDistance(xb.View, yb.View) - dist).ShouldBeLessThan(1e-6 * dist);

        using var t = b.Allocate(n);
        b.Add(t.View, xb.View, yb.View);
        RelativeError(Down(b, t), x.Select((v, i) => v + y[i]).ToArray()).ShouldBeLessThan(1e-6);
        b.AddScaledDifference(t.View, xb.View, yb.View, 0.5f);
        RelativeError(Down(b, t), x.Select((v, i) => v + y[i] + 0.5 * (v - y[i])).ToArray()).ShouldBeLessThan(1e-6);
        b.Scale(t.View, -2f);
        b.AddInPlace(t.View, xb.View);
        b.MultiplyAccumulate(t.View, xb.View, yb.View);
        RelativeError(Down(b, t), x.Select((v, i) => -2 * (v + y[i] + 0.5 * (v - y[i])) + v + v * y[i]).ToArray()).ShouldBeLessThan(1e-6);
    }

    [Fact]
    public void Fill_of_a_buffer_past_the_streaming_threshold_sets_exactly_its_elements()
    {
        using var b = CreateBackend("managed-2");
        long n = (16L << 20) + 21;
        using var buffer = b.Allocate(n + 10);
        b.Fill(buffer.View, 1f);
        // An unaligned view (offset 3) with a ragged end: the scalar head and tail and the streaming stores all run.
        b.Fill(buffer.View.Slice(3, n), 0f);
        var all = Down(b, buffer);
        all.Take(3).ShouldAllBe(v => v == 1f);
        all.Skip(3).Take((int)n).ShouldAllBe(v => v == 0f);
        all.Skip(3 + (int)n).ShouldAllBe(v => v == 1f);
    }

    [Fact]
    public void Dropout_mask_keeps_the_expected_fraction_and_is_reproducible()
    {
        using var b1 = CreateBackend("managed-1");
        using var b2 = CreateBackend("managed-2");
        int n = 100_000;
        var x = Random(n, 1);
        float[] Run(IBackend b, ulong seed, out float[] mask)
        {
            using var xb = Up(b, x);
            using var y = b.Allocate(n);
            using var m = b.Allocate(n);
            b.DropoutForward(y.View, m.View, xb.View, n, 0.25f, seed);
            mask = Down(b, m);
            return Down(b, y);
        }
        var y1 = Run(b1, 7, out var m1);
        var y2 = Run(b2, 7, out var m2);
        ShouldBeBitwiseEqual(y1, y2, "dropout output across thread counts");
        ShouldBeBitwiseEqual(m1, m2, "dropout mask across thread counts");
        double kept = m1.Count(v => v != 0) / (double)n;
        kept.ShouldBeInRange(0.74, 0.76);
        m1.Where(v => v != 0).ShouldAllBe(v => Math.Abs(v - 1 / 0.75f) < 1e-6);
        Run(b1, 8, out var m3);
        m3.SequenceEqual(m1).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Gather_and_scatter_rows_are_adjoint(string backendName)
    {
        using var b = CreateBackend(backendName);
        int rows = 10, dim = 6;
        int[] idx = [7, 2, 9, 0];
        var x = Random(rows * dim, 1);
        using var xb = Up(b, x);
        using var ib = Up(b, idx);
        using var g = b.Allocate(idx.Length * dim);
        b.GatherRows(g.View, xb.View, ib.View, idx.Length, dim);
        var gathered = Down(b, g);
        for (int i = 0; i < idx.Length; i++)
            for (int j = 0; j < dim; j++) gathered[i * dim + j].ShouldBe((float)x[idx[i] * dim + j]);
        using var s = b.Allocate(rows * dim);
        b.ScatterAddRows(s.View, g.View, ib.View, idx.Length, dim);
        var scattered = Down(b, s);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < dim; j++) scattered[r * dim + j].ShouldBe(idx.Contains(r) ? (float)x[r * dim + j] : 0f);
    }
}
