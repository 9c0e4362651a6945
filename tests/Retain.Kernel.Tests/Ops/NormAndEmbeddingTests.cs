using Retain.Kernel.Backends;
using Retain.Kernel.Tests.Reference;
using static Retain.Kernel.Tests.Reference.Numerics;

namespace Retain.Kernel.Tests.Ops;

public sealed class NormAndEmbeddingTests : OpTestBase
{
    [Theory]
    [MemberData(nameof(Backends))]
    public void Embedding_forward_and_backward_match_reference(string backendName)
    {
        using var b = CreateBackend(backendName);
        int vocab = 37, dim = 24;
        int[] ids = [3, 0, 36, 3, 17, 3, 9, 0, 21];
        var table = Random(vocab * dim, 1);
        var dy = Random(ids.Length * dim, 2);
        using var tb = Up(b, table);
        using var idb = Up(b, ids);
        using var y = b.Allocate(ids.Length * dim);
        b.EmbeddingForward(y.View, tb.View, idb.View, ids.Length, dim, 2.5f);
        RelativeError(Down(b, y), ReferenceOps.EmbeddingForward(table, ids, dim, 2.5)).ShouldBeLessThan(1e-6);

        using var dyb = Up(b, dy);
        using var dt = b.Allocate(vocab * dim);
        b.EmbeddingBackward(dt.View, dyb.View, idb.View, ids.Length, dim, 2.5f);
        RelativeError(Down(b, dt), ReferenceOps.EmbeddingBackward(dy, ids, vocab, dim, 2.5)).ShouldBeLessThan(1e-6);
    }

    [Fact]
    public void Embedding_reference_backward_matches_finite_differences()
    {
        int vocab = 7, dim = 3;
        int[] ids = [1, 4, 1, 6];
        var table = Random(vocab * dim, 3);
        var r = Random(ids.Length * dim, 4);
        var fd = FiniteDifference(t => Dot(ReferenceOps.EmbeddingForward(t, ids, dim, 1.7), r), table);
        RelativeError(ReferenceOps.EmbeddingBackward(r, ids, vocab, dim, 1.7), fd).ShouldBeLessThan(1e-7);
    }

    [Fact]
    public void Embedding_rejects_out_of_vocabulary_ids()
    {
        using var b = CreateBackend("managed-1");
        using var table = b.Allocate(4 * 2);
        using var ids = Up(b, new[] { 0, 4 });
        using var y = b.Allocate(4);
        Should.Throw<ArgumentOutOfRangeException>(() => b.EmbeddingForward(y.View, table.View, ids.View, 2, 2, 1f)).Message.ShouldContain("Token id 4");
    }

    [Theory]
    [InlineData("managed-1", 0f)]
    [InlineData("managed-2", 1f)]
    [InlineData("openblas-2", 0f)]
    public void RmsNorm_forward_and_backward_match_reference(string backendName, float offset)
    {
        using var b = CreateBackend(backendName);
        int rows = 300, dim = 40;
        var x = Random(rows * dim, 5, 3);
        var w = Random(dim, 6);
        var dy = Random(rows * dim, 7);
        var (yRef, rstdRef) = ReferenceOps.RmsNormForward(x, w, rows, dim, 1e-5, offset);
        var (dxRef, dwRef) = ReferenceOps.RmsNormBackward(dy, x, w, rows, dim, 1e-5, offset);

        using var xb = Up(b, x);
        using var wb = Up(b, w);
        using var y = b.Allocate(rows * dim);
        using var rstd = b.Allocate(rows);
        b.RmsNormForward(y.View, rstd.View, xb.View, wb.View, rows, dim, 1e-5f, offset);
        RelativeError(Down(b, y), yRef).ShouldBeLessThan(1e-5);
        RelativeError(Down(b, rstd), rstdRef).ShouldBeLessThan(1e-5);

        using var dyb = Up(b, dy);
        using var dx = Up(b, Random(rows * dim, 8));
        var dxPrior = ToDouble(Down(b, dx));
        using var dw = Up(b, Random(dim, 9));
        var dwPrior = ToDouble(Down(b, dw));
        b.RmsNormBackward(dx.View, dw.View, dyb.View, xb.View, wb.View, rstd.View, rows, dim, offset, accumulate: true);
        RelativeError(Down(b, dx), dxRef.Select((v, i) => v + dxPrior[i]).ToArray()).ShouldBeLessThan(1e-5);
        RelativeError(Down(b, dw), dwRef.Select((v, i) => v + dwPrior[i]).ToArray()).ShouldBeLessThan(1e-5);

        b.RmsNormBackward(dx.View, BufferView<float>.None, dyb.View, xb.View, wb.View, rstd.View, rows, dim, offset, accumulate: false);
        RelativeError(Down(b, dx), dxRef).ShouldBeLessThan(1e-5);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void RmsNorm_reference_backward_matches_finite_differences(double offset)
    {
        int rows = 3, dim = 5;
        var x = Random(rows * dim, 10);
        var w = Random(dim, 11);
        var r = Random(rows * dim, 12);
        var (dx, dw) = ReferenceOps.RmsNormBackward(r, x, w, rows, dim, 1e-5, offset);
        RelativeError(dx, FiniteDifference(v => Dot(ReferenceOps.RmsNormForward(v, w, rows, dim, 1e-5, offset).Y, r), x)).ShouldBeLessThan(1e-7);
        RelativeError(dw, FiniteDifference(v => Dot(ReferenceOps.RmsNormForward(x, v, rows, dim, 1e-5, offset).Y, r), w)).ShouldBeLessThan(1e-7);
    }
}
