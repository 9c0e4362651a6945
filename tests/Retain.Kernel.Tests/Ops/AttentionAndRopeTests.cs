using Retain.Kernel.Backends;
using Retain.Kernel.Tests.Reference;
using static Retain.Kernel.Tests.Reference.Numerics;

namespace Retain.Kernel.Tests.Ops;

public sealed class AttentionAndRopeTests : OpTestBase
{
    private static (double[] Cos, double[] Sin, double[] InvFreq) Tables(int maxPos, int headDim, double theta)
    {
        int half = headDim / 2;
        var inv = Enumerable.Range(0, half).Select(i => 1 / Math.Pow(theta, 2.0 * i / headDim)).ToArray();
        var cos = new double[maxPos * half];
        var sin = new double[maxPos * half];
        for (int p = 0; p < maxPos; p++)
            for (int i = 0; i < half; i++)
            {
                cos[p * half + i] = Math.Cos(p * inv[i]);
                sin[p * half + i] = Math.Sin(p * inv[i]);
            }
        return (cos, sin, inv);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Rope_forward_and_backward_match_reference(string backendName)
    {
        using var b = CreateBackend(backendName);
        int rows = 11, heads = 3, d = 16, maxPos = 64;
        var (cos, sin, inv) = Tables(maxPos, d, 10000);
        int[] positions = [0, 1, 2, 3, 0, 1, 63, 5, 9, 10, 2];
        var x = Random(rows * heads * d, 1);
        using var xb = Up(b, x);
        using var cb = Up(b, cos);
        using var sb = Up(b, sin);
        using var pb = Up(b, positions);
        b.RopeForward(xb.View, cb.View, sb.View, pb.View, rows, heads, d);
        RelativeError(Down(b, xb), ReferenceOps.Rope(x, positions, heads, d, inv, inverse: false)).ShouldBeLessThan(1e-5);

        var g = Random(rows * heads * d, 2);
        using var gb = Up(b, g);
        b.RopeBackward(gb.View, cb.View, sb.View, pb.View, rows, heads, d);
        RelativeError(Down(b, gb), ReferenceOps.Rope(g, positions, heads, d, inv, inverse: true)).ShouldBeLessThan(1e-5);
    }

    [Fact]
    public void Rope_reference_backward_matches_finite_differences()
    {
        int rows = 3, heads = 2, d = 4;
        var (_, _, inv) = Tables(8, d, 100);
        int[] positions = [1, 5, 7];
        var x = Random(rows * heads * d, 3);
        var r = Random(rows * heads * d, 4);
        var fd = FiniteDifference(v => Dot(ReferenceOps.Rope(v, positions, heads, d, inv, false), r), x);
        RelativeError(ReferenceOps.Rope(r, positions, heads, d, inv, inverse: true), fd).ShouldBeLessThan(1e-7);
    }

    /// <summary>Two rows: the first packs documents (4 tokens, then t − 4), the second is one document with a sliding window of 3 (7 when long).</summary>
    private static int[] KeyStarts(int t)
    {
        var ks = new int[2 * t];
        for (int i = 0; i < t; i++) ks[i] = i < 4 ? 0 : 4;
        int window = t > 20 ? 7 : 3;
        for (int i = 0; i < t; i++) ks[t + i] = Math.Max(0, i - window + 1);
        return ks;
    }

    public static TheoryData<string, int, int, bool> AttentionCases()
    {
        var data = new TheoryData<string, int, int, bool>();
        foreach (var backend in new[] { "managed-1", "managed-2", "openblas-2" })
        {
            data.Add(backend, 8, 9, true);
            data.Add(backend, 64, 9, false);
            data.Add(backend, 40, 70, true);   // several query blocks
            data.Add(backend, 40, 70, false);
        }
        data.Add("managed-2", 16, 130, false);
        return data;
    }

    [Theory]
    [MemberData(nameof(AttentionCases))]
    public void Attention_forward_and_backward_match_reference_with_packing_windows_and_gqa(string backendName, int d, int t, bool saveProbabilities)
    {
        using var b = CreateBackend(backendName);
        int rows = 2, heads = 4, kv = 2;
        double scale = 1 / Math.Sqrt(d);
        var ks = KeyStarts(t);
        var q = Random(rows * t * heads * d, 1);
        var k = Random(rows * t * kv * d, 2);
        var v = Random(rows * t * kv * d, 3);
        var dout = Random(rows * t * heads * d, 4);
        using var qb = Up(b, q);
        using var kb = Up(b, k);
        using var vb = Up(b, v);
        using var ksb = Up(b, ks);
        using var o = b.Allocate(q.Length);
        using var saved = b.Allocate(saveProbabilities ? rows * heads * t * t : rows * heads * t);
        b.AttentionForward(o.View, saved.View, qb.View, kb.View, vb.View, ksb.View, rows, t, heads, kv, d, (float)scale, saveProbabilities);
        var expected = ReferenceOps.AttentionForward(q, k, v, ks, rows, t, heads, kv, d, scale);
        RelativeError(Down(b, o), expected).ShouldBeLessThan(1e-5);

        using var o2 = b.Allocate(q.Length);
        b.AttentionForward(o2.View, BufferView<float>.None, qb.View, kb.View, vb.View, ksb.View, rows, t, heads, kv, d, (float)scale, saveProbabilities);
        ShouldBeBitwiseEqual(Down(b, o2), Down(b, o), "output without saved probabilities");

        var (dqRef, dkRef, dvRef) = ReferenceOps.AttentionBackward(dout, q, k, v, ks, rows, t, heads, kv, d, scale);
        using var doutb = Up(b, dout);
        using var dq = b.Allocate(q.Length);
        using var dk = Up(b, Random(k.Length, 9));
        using var dv = Up(b, Random(v.Length, 10));
        b.AttentionBackward(dq.View, dk.View, dv.View, doutb.View, qb.View, kb.View, vb.View, saved.View, ksb.View, rows, t, heads, kv, d, (float)scale, saveProbabilities);
        RelativeError(Down(b, dq), dqRef).ShouldBeLessThan(1e-5);
        RelativeError(Down(b, dk), dkRef).ShouldBeLessThan(1e-5);
        RelativeError(Down(b, dv), dvRef).ShouldBeLessThan(1e-5);
    }

    [Fact]
    public void Attention_reference_backward_matches_finite_differences()
    {
        int rows = 2, t = 9, heads = 2, kv = 1, d = 3;
        double scale = 0.7;
        var ks = KeyStarts(t);
        var q = Random(rows * t * heads * d, 1);
        var k = Random(rows * t * kv * d, 2);
        var v = Random(rows * t * kv * d, 3);
        var r = Random(rows * t * heads * d, 4);
        var (dq, dk, dv) = ReferenceOps.AttentionBackward(r, q, k, v, ks, rows, t, heads, kv, d, scale);
        RelativeError(dq, FiniteDifference(x => Dot(ReferenceOps.AttentionForward(x, k, v, ks, rows, t, heads, kv, d, scale), r), q)).ShouldBeLessThan(1e-7);
        RelativeError(dk, FiniteDifference(x => Dot(ReferenceOps.AttentionForward(q, x, v, ks, rows, t, heads, kv, d, scale), r), k)).ShouldBeLessThan(1e-7);
        RelativeError(dv, FiniteDifference(x => Dot(ReferenceOps.AttentionForward(q, k, x, ks, rows, t, heads, kv, d, scale), r), v)).ShouldBeLessThan(1e-7);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Cached_attention_equals_full_attention_for_prefill_and_decode(string backendName)
    {
        using var b = CreateBackend(backendName);
        int t = 7, heads = 4, kv = 2, d = 8, capacity = 10, window = 3;
        float scale = 0.4f;
        var q = Random(t * heads * d, 1);
        var k = Random(t * kv * d, 2);
        var v = Random(t * kv * d, 3);
        var ks = Enumerable.Range(0, t).Select(i => Math.Max(0, i - window + 1)).ToArray();
        var expected = ReferenceOps.AttentionForward(q, k, v, ks, 1, t, heads, kv, d, scale);

        using var kc = b.Allocate(2 * capacity * kv * d);
        using var vc = b.Allocate(2 * capacity * kv * d);
        using var kb = Up(b, k);
        using var vb = Up(b, v);
        using var qb = Up(b, q);
        using var slots = Up(b, Enumerable.Repeat(1, t).ToArray());
        using var pos = Up(b, Enumerable.Range(0, t).ToArray());
        b.KvCacheWrite(kc.View, vc.View, kb.View, vb.View, slots.View, pos.View, t, kv * d, capacity);
        using var o = b.Allocate(q.Length);
        b.CachedAttentionForward(o.View, qb.View, kc.View, vc.View, slots.View, pos.View, t, capacity, heads, kv, d, scale, window);
        RelativeError(Down(b, o), expected).ShouldBeLessThan(1e-5);

        using var outOfRange = Up(b, new[] { capacity });
        Should.Throw<ArgumentOutOfRangeException>(() => b.CachedAttentionForward(o.View, qb.View, kc.View, vc.View, slots.View, outOfRange.View, 1, capacity, heads, kv, d, scale, 0));
    }

    [Fact]
    public void Attention_rejects_key_starts_after_the_query()
    {
        using var b = CreateBackend("managed-1");
        using var x = b.Allocate(2 * 8);
        using var ks = Up(b, new[] { 0, 2 });
        Should.Throw<ArgumentOutOfRangeException>(() => b.AttentionForward(x.View, BufferView<float>.None, x.View, x.View, x.View, ks.View, 1, 2, 1, 1, 8, 1f, true))
            .Message.ShouldContain("Key start 2");
    }
}
