using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Retain.Kernel.Backends.Cpu.Ops;

/// <summary>Elementwise arithmetic (no backward: each is its own adjoint or is used only in update rules).</summary>
internal static unsafe class Elementwise
{
    private const long Grain = 1 << 16;

    private struct Args
    {
        public float* Output, A, B;
        public float Factor;
        public Partition Part;
    }

    private static void Run(CpuWorkers workers, long count, float* output, float* a, float* b, float factor, delegate*<void*, int, void> body)
    {
        var args = new Args { Output = output, A = a, B = b, Factor = factor, Part = new Partition(count, 1, Grain) };
        workers.Run(args.Part.Chunks, body, &args);
    }

    private static Span<float> S(float* p, (long Start, long End) r) => new(p + r.Start, (int)(r.End - r.Start));

    /// <summary>output = a + b.</summary>
    public static void Add(CpuWorkers w, long n, float* output, float* a, float* b) => Run(w, n, output, a, b, 0, &AddBody);

    private static void AddBody(void* s, int c)
    {
        ref Args x = ref *(Args*)s;
        var r = x.Part.Range(c);
        TensorPrimitives.Add(S(x.A, r), S(x.B, r), S(x.Output, r));
    }

    /// <summary>target += source.</summary>
    public static void AddInPlace(CpuWorkers w, long n, float* target, float* source) => Run(w, n, target, source, null, 0, &AddInPlaceBody);

    private static void AddInPlaceBody(void* s, int c)
    {
        ref Args x = ref *(Args*)s;
        var r = x.Part.Range(c);
        TensorPrimitives.Add(S(x.Output, r), S(x.A, r), S(x.Output, r));
    }

    /// <summary>target *= factor.</summary>
    public static void Scale(CpuWorkers w, long n, float* target, float factor) => Run(w, n, target, null, null, factor, &ScaleBody);

    private static void ScaleBody(void* s, int c)
    {
        ref Args x = ref *(Args*)s;
        var r = x.Part.Range(c);
        TensorPrimitives.Multiply(S(x.Output, r), x.Factor, S(x.Output, r));
    }

    /// <summary>
    /// From this many floats (64 MB) a fill bypasses the caches: it is far larger than any last-level cache, so the
    /// lines would be evicted before they are read again, and streaming stores skip reading each line before writing
    /// it (half the memory traffic of zeroing a large model's gradients).
    /// </summary>
    private const long StreamingFillFloats = 16L << 20;

    /// <summary>target = value.</summary>
    public static void Fill(CpuWorkers w, long n, float* target, float value) =>
        Run(w, n, target, null, null, value, n >= StreamingFillFloats && Avx.IsSupported ? &StreamingFillBody : &FillBody);

    private static void FillBody(void* s, int c)
    {
        ref Args x = ref *(Args*)s;
        S(x.Output, x.Part.Range(c)).Fill(x.Factor);
    }

    private static void StreamingFillBody(void* s, int c)
    {
        ref Args x = ref *(Args*)s;
        var (start, end) = x.Part.Range(c);
        float* p = x.Output + start, stop = x.Output + end;
        // Scalar up to a 32-byte boundary, aligned non-temporal stores, scalar tail; the fence orders the streaming
        // stores before the loop's completion is published to the caller.
        while (p < stop && ((nint)p & 31) != 0) *p++ = x.Factor;
        var v = Vector256.Create(x.Factor);
        for (; p + 8 <= stop; p += 8) Avx.StoreAlignedNonTemporal(p, v);
        while (p < stop) *p++ = x.Factor;
        Sse.StoreFence();
    }

    /// <summary>destination = source.</summary>
    public static void Copy(CpuWorkers w, long n, float* destination, float* source) => Run(w, n, destination, source, null, 0, &CopyBody);

    private static void CopyBody(void* s, int c)
    {
        ref Args x = ref *(Args*)s;
        var r = x.Part.Range(c);
        S(x.A, r).CopyTo(S(x.Output, r));
    }

    /// <summary>target += factor · (a − b).</summary>
    public static void AddScaledDifference(CpuWorkers w, long n, float* target, float* a, float* b, float factor) =>
        Run(w, n, target, a, b, factor, &AddScaledDifferenceBody);

    private static void AddScaledDifferenceBody(void* s, int c)
    {
        ref Args x = ref *(Args*)s;
        var r = x.Part.Range(c);
        float* t = x.Output, a = x.A, b = x.B;
        for (long i = r.Start; i < r.End; i++) t[i] += x.Factor * (a[i] - b[i]);
    }

    /// <summary>target += a · b.</summary>
    public static void MultiplyAccumulate(CpuWorkers w, long n, float* target, float* a, float* b) => Run(w, n, target, a, b, 0, &MultiplyAccumulateBody);

    private static void MultiplyAccumulateBody(void* s, int c)
    {
        ref Args x = ref *(Args*)s;
        var r = x.Part.Range(c);
        TensorPrimitives.MultiplyAdd(S(x.A, r), S(x.B, r), S(x.Output, r), S(x.Output, r));
    }
}
