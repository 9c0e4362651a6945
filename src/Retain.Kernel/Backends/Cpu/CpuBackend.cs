using System.Runtime.InteropServices;
using Retain.Kernel.Backends.Cpu.Gemm;
using Retain.Kernel.Backends.Cpu.Gemm.Calibration;
using Retain.Kernel.Backends.Cpu.Ops;

namespace Retain.Kernel.Backends.Cpu;

/// <summary>Options of the CPU backend.</summary>
public sealed record CpuBackendOptions
{
    /// <summary>Threads taking part in each op, the caller included; 0 = <see cref="Environment.ProcessorCount"/>.</summary>
    public int Threads { get; init; }

    /// <summary>The GEMM implementation; <c>RETAIN_GEMM=managed|openblas</c> overrides <see cref="GemmProvider.Auto"/>.</summary>
    public GemmProvider Gemm { get; init; } = GemmProvider.Auto;

    /// <summary>Where GEMM calibrations are cached; null = <c>RETAIN_CACHE_DIR</c>, else <c>~/.cache/retain</c>.</summary>
    public string? GemmCalibrationDirectory { get; init; }

    /// <summary>Calibrate the GEMM choice again even when a calibration for this machine is cached (<c>retain doctor --recalibrate</c>).</summary>
    public bool RecalibrateGemm { get; init; }

    /// <summary>Vector width of the managed GEMM in bits (256 or 512); 0 picks the widest accelerated one.</summary>
    public int ManagedGemmVectorWidth { get; init; }
}

/// <summary>
/// The float32 CPU backend: native 64-byte aligned buffers, SIMD kernels (TensorPrimitives, Vector256), a fixed set of
/// worker threads, GEMM through OpenBLAS or a managed packed GEMM, whichever a calibration measured faster per shape class. Results are deterministic for a given
/// input (chunking never depends on the thread count). Not thread-safe: one caller at a time.
/// </summary>
public sealed unsafe class CpuBackend : IBackend
{
    private readonly CpuWorkers _workers;
    private readonly ICpuGemm _gemm;
    private float* _scratch;
    private long _scratchCapacity;

    /// <summary>Creates a backend.</summary>
    public CpuBackend(CpuBackendOptions? options = null)
    {
        options ??= new CpuBackendOptions();
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        _workers = new CpuWorkers(threads);
        _gemm = CreateGemm(options, _workers);
        Name = $"cpu ({threads} threads, {_gemm.Name} gemm)";
    }

    /// <summary>
    /// The provider to use: <c>RETAIN_GEMM</c> (<paramref name="environment"/>) overrides <see cref="GemmProvider.Auto"/>;
    /// an explicit option is kept.
    /// </summary>
    internal static GemmProvider ResolveProvider(GemmProvider option, string? environment)
    {
        if (option != GemmProvider.Auto || string.IsNullOrEmpty(environment)) return option;
        if (string.Equals(environment, "managed", StringComparison.OrdinalIgnoreCase)) return GemmProvider.Managed;
        if (string.Equals(environment, "openblas", StringComparison.OrdinalIgnoreCase)) return GemmProvider.OpenBlas;
        throw new ArgumentException($"RETAIN_GEMM must be 'managed' or 'openblas', not '{environment}'.");
    }

    private static ICpuGemm CreateGemm(CpuBackendOptions options, CpuWorkers workers)
    {
        var provider = ResolveProvider(options.Gemm, Environment.GetEnvironmentVariable("RETAIN_GEMM"));
        // A forced provider keeps the size rule for splitting a product across the workers; a calibrated one measures it.
        if (provider == GemmProvider.Managed) return new ManagedGemm(workers, options.ManagedGemmVectorWidth);
        var library = OpenBlas.TryLoad();
        if (library is null && provider == GemmProvider.OpenBlas)
        {
            throw new DllNotFoundException("OpenBLAS was requested but none of these could be loaded with cblas_sgemm: " +
                string.Join(", ", OpenBlas.Candidates) + ". Install libopenblas0-pthread or use the managed GEMM.");
        }
        var openBlas = library is null ? null : new OpenBlasGemm(library, workers);
        if (provider == GemmProvider.OpenBlas) return openBlas!;
        var managed = new ManagedGemm(workers, options.ManagedGemmVectorWidth, ManagedGemm.SplitRule.Always);
        var candidates = new List<ICpuGemm> { managed };
        if (workers.ThreadCount > 1) candidates.Add(new SingleThreadGemm(managed));
        if (openBlas is not null) candidates.Add(openBlas);
        // One thread and no OpenBLAS: nothing to choose.
        if (candidates.Count == 1) return new ManagedGemm(workers, options.ManagedGemmVectorWidth);
        var store = new GemmCalibrationStore(options.GemmCalibrationDirectory ?? GemmCalibrationStore.DefaultDirectory);
        string key = GemmMachineKey.Current(workers.ThreadCount, library) + $"; candidates={string.Join(",", candidates.Select(c => c.Name))}";
        var calibration = store.GetOrCalibrate(key, () =>
        {
            using var timer = new StopwatchGemmTimer(GemmShapeClass.MaxElements);
            return new GemmCalibrator(timer).Calibrate(key, candidates);
        }, refresh: options.RecalibrateGemm);
        return new CalibratedGemm(managed, openBlas, library, calibration);
    }

    /// <summary>The calibration behind <see cref="GemmProvider.Auto"/>'s choice, null when none was needed (a forced or single choice).</summary>
    public GemmCalibration? GemmCalibration => (_gemm as CalibratedGemm)?.Calibration;

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Threads per op.</summary>
    public int Threads => _workers.ThreadCount;

    /// <summary>Managed bytes allocated so far by the worker threads (a diagnostic for the zero-allocation guarantee).</summary>
    public long WorkerAllocatedBytes => _workers.WorkerAllocatedBytes;

    /// <summary>The GEMM in use (<c>openblas</c>, <c>managed-vector256</c>, ...).</summary>
    public string GemmName => _gemm.Name;

    /// <summary>The OpenBLAS library file, when OpenBLAS can be loaded in this process (whatever this backend uses).</summary>
    public static string? OpenBlasPath => OpenBlas.TryLoad()?.LibraryPath;

    /// <summary>The loaded OpenBLAS's build and core (<c>openblas_get_config</c>, <c>openblas_get_corename</c>).</summary>
    public static string? OpenBlasVersion => OpenBlas.TryLoad()?.Version;

    // ---- view resolution ----

    private static float* P(BufferView<float> view, long needed, string name)
    {
        if (view.Buffer is not CpuBuffer<float> buffer)
        {
            throw new ArgumentException(view.IsNone ? $"Argument '{name}' is required." : $"Argument '{name}' is not a CPU buffer.", name);
        }
        if (needed > view.Length) throw new ArgumentException($"Argument '{name}' has {view.Length} elements; the op needs {needed}.", name);
        return buffer.Pointer + view.Offset;
    }

    private static float* Optional(BufferView<float> view, long needed, string name) => view.IsNone ? null : P(view, needed, name);

    private static int* P(BufferView<int> view, long needed, string name)
    {
        if (view.Buffer is not CpuBuffer<int> buffer)
        {
            throw new ArgumentException(view.IsNone ? $"Argument '{name}' is required." : $"Argument '{name}' is not a CPU buffer.", name);
        }
        if (needed > view.Length) throw new ArgumentException($"Argument '{name}' has {view.Length} elements; the op needs {needed}.", name);
        return buffer.Pointer + view.Offset;
    }

    private float* Scratch(long floats)
    {
        if (floats > _scratchCapacity)
        {
            if (_scratch is not null) NativeMemory.AlignedFree(_scratch);
            _scratch = (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);
            _scratchCapacity = floats;
        }
        return _scratch;
    }

    // ---- memory ----

    /// <inheritdoc />
    public DeviceBuffer<float> Allocate(long length) => new CpuBuffer<float>(this, length);

    /// <inheritdoc />
    public DeviceBuffer<int> AllocateInt(long length) => new CpuBuffer<int>(this, length);

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<float> source, BufferView<float> destination)
    {
        CheckSameLength(source.Length, destination.Length);
        source.CopyTo(new Span<float>(P(destination, source.Length, nameof(destination)), source.Length));
    }

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<int> source, BufferView<int> destination)
    {
        CheckSameLength(source.Length, destination.Length);
        source.CopyTo(new Span<int>(P(destination, source.Length, nameof(destination)), source.Length));
    }

    /// <inheritdoc />
    public void Download(BufferView<float> source, Span<float> destination)
    {
        CheckSameLength(destination.Length, source.Length);
        new ReadOnlySpan<float>(P(source, destination.Length, nameof(source)), destination.Length).CopyTo(destination);
    }

    /// <inheritdoc />
    public void Download(BufferView<int> source, Span<int> destination)
    {
        CheckSameLength(destination.Length, source.Length);
        new ReadOnlySpan<int>(P(source, destination.Length, nameof(source)), destination.Length).CopyTo(destination);
    }

    /// <summary>Direct host access to a CPU view (for hashing and checkpoint writing without a copy).</summary>
    public static ReadOnlySpan<float> HostSpan(BufferView<float> view) =>
        view.Length > int.MaxValue ? throw new ArgumentException("View too long for a span.") : new ReadOnlySpan<float>(P(view, view.Length, nameof(view)), (int)view.Length);

    private static void CheckSameLength(long a, long b)
    {
        if (a != b) throw new ArgumentException($"Length mismatch: {a} host elements, {b} device elements.");
    }

    /// <inheritdoc />
    public void Copy(BufferView<float> source, BufferView<float> destination)
    {
        CheckSameLength(source.Length, destination.Length);
        Elementwise.Copy(_workers, source.Length, P(destination, source.Length, nameof(destination)), P(source, source.Length, nameof(source)));
    }

    /// <inheritdoc />
    public void Fill(BufferView<float> destination, float value) =>
        Elementwise.Fill(_workers, destination.Length, P(destination, destination.Length, nameof(destination)), value);

    // ---- elementwise ----

    /// <inheritdoc />
    public void Add(BufferView<float> output, BufferView<float> a, BufferView<float> b)
    {
        long n = output.Length;
        Elementwise.Add(_workers, n, P(output, n, nameof(output)), P(a, n, nameof(a)), P(b, n, nameof(b)));
    }

    /// <inheritdoc />
    public void AddInPlace(BufferView<float> target, BufferView<float> source)
    {
        long n = target.Length;
        Elementwise.AddInPlace(_workers, n, P(target, n, nameof(target)), P(source, n, nameof(source)));
    }

    /// <inheritdoc />
    public void Scale(BufferView<float> target, float factor) => Elementwise.Scale(_workers, target.Length, P(target, target.Length, nameof(target)), factor);

    /// <inheritdoc />
    public void AddScaledDifference(BufferView<float> target, BufferView<float> a, BufferView<float> b, float factor)
    {
        long n = target.Length;
        Elementwise.AddScaledDifference(_workers, n, P(target, n, nameof(target)), P(a, n, nameof(a)), P(b, n, nameof(b)), factor);
    }

    /// <inheritdoc />
    public double SumOfSquares(BufferView<float> x)
    {
        int partials = Reductions.PartialCount(x.Length);
        return Reductions.SumOfSquares(_workers, x.Length, P(x, x.Length, nameof(x)), null, (double*)Scratch(partials * 2L), partials);
    }

    /// <inheritdoc />
    public double SquaredDistance(BufferView<float> a, BufferView<float> b)
    {
        long n = a.Length;
        int partials = Reductions.PartialCount(n);
        return Reductions.SumOfSquares(_workers, n, P(a, n, nameof(a)), P(b, n, nameof(b)), (double*)Scratch(partials * 2L), partials);
    }

    /// <inheritdoc />
    public void MultiplyAccumulate(BufferView<float> target, BufferView<float> a, BufferView<float> b)
    {
        long n = target.Length;
        Elementwise.MultiplyAccumulate(_workers, n, P(target, n, nameof(target)), P(a, n, nameof(a)), P(b, n, nameof(b)));
    }

    // ---- gemm ----

    /// <inheritdoc />
    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, BufferView<float> a, int lda,
        BufferView<float> b, int ldb, float beta, BufferView<float> c, int ldc)
    {
        long needA = MatrixExtent(transposeA ? k : m, transposeA ? m : k, lda);
        long needB = MatrixExtent(transposeB ? n : k, transposeB ? k : n, ldb);
        long needC = MatrixExtent(m, n, ldc);
        _gemm.Gemm(transposeA, transposeB, m, n, k, alpha, P(a, needA, nameof(a)), lda, P(b, needB, nameof(b)), ldb, beta, P(c, needC, nameof(c)), ldc);
    }

    private static long MatrixExtent(int rows, int cols, int ld)
    {
        if (rows == 0 || cols == 0) return 0;
        if (ld < cols) throw new ArgumentException($"Leading dimension {ld} is smaller than the {cols} columns.");
        return (long)(rows - 1) * ld + cols;
    }

    // ---- model ops ----

    /// <inheritdoc />
    public void EmbeddingForward(BufferView<float> output, BufferView<float> table, BufferView<int> ids, int rows, int dim, float scale)
    {
        int vocab = (int)(table.Length / dim);
        Embedding.Forward(_workers, P(output, (long)rows * dim, nameof(output)), P(table, (long)vocab * dim, nameof(table)), P(ids, rows, nameof(ids)), rows, dim, vocab, scale);
    }

    /// <inheritdoc />
    public void EmbeddingBackward(BufferView<float> tableGrad, BufferView<float> outputGrad, BufferView<int> ids, int rows, int dim, float scale)
    {
        int vocab = (int)(tableGrad.Length / dim);
        int* idp = P(ids, rows, nameof(ids));
        for (int i = 0; i < rows; i++)
        {
            if ((uint)idp[i] >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(ids), $"Token id {idp[i]} at row {i} is outside the vocabulary of {vocab}.");
        }
        Embedding.Backward(_workers, P(tableGrad, (long)vocab * dim, nameof(tableGrad)), P(outputGrad, (long)rows * dim, nameof(outputGrad)), idp, rows, dim, vocab, scale);
    }

    /// <inheritdoc />
    public void RmsNormForward(BufferView<float> output, BufferView<float> rstd, BufferView<float> input, BufferView<float> weight, int rows, int dim, float eps, float weightOffset)
    {
        long n = (long)rows * dim;
        RmsNorm.Forward(_workers, P(output, n, nameof(output)), P(rstd, rows, nameof(rstd)), P(input, n, nameof(input)), P(weight, dim, nameof(weight)), rows, dim, eps, weightOffset);
    }

    /// <inheritdoc />
    public void RmsNormBackward(BufferView<float> inputGrad, BufferView<float> weightGrad, BufferView<float> outputGrad, BufferView<float> input,
        BufferView<float> weight, BufferView<float> rstd, int rows, int dim, float weightOffset, bool accumulate)
    {
        long n = (long)rows * dim;
        long scratch = (long)RmsNorm.PartitionFor(rows, dim).Chunks * dim;
        RmsNorm.Backward(_workers, Optional(inputGrad, n, nameof(inputGrad)), Optional(weightGrad, dim, nameof(weightGrad)), P(outputGrad, n, nameof(outputGrad)),
            P(input, n, nameof(input)), P(weight, dim, nameof(weight)), P(rstd, rows, nameof(rstd)), rows, dim, weightOffset, accumulate, Scratch(scratch), scratch);
    }

    /// <inheritdoc />
    public void LinearForward(BufferView<float> output, BufferView<float> input, BufferView<float> weight, BufferView<float> bias, int rows, int inFeatures, int outFeatures)
    {
        Linear.Forward(_workers, _gemm, P(output, (long)rows * outFeatures, nameof(output)), P(input, (long)rows * inFeatures, nameof(input)),
            P(weight, (long)outFeatures * inFeatures, nameof(weight)), Optional(bias, outFeatures, nameof(bias)), rows, inFeatures, outFeatures);
    }

    /// <inheritdoc />
    public void LinearBackward(BufferView<float> inputGrad, BufferView<float> weightGrad, BufferView<float> biasGrad, BufferView<float> outputGrad,
        BufferView<float> input, BufferView<float> weight, int rows, int inFeatures, int outFeatures, bool accumulateInput)
    {
        Linear.Backward(_workers, _gemm, Optional(inputGrad, (long)rows * inFeatures, nameof(inputGrad)), Optional(weightGrad, (long)outFeatures * inFeatures, nameof(weightGrad)),
            Optional(biasGrad, outFeatures, nameof(biasGrad)), P(outputGrad, (long)rows * outFeatures, nameof(outputGrad)),
            weightGrad.IsNone ? null : P(input, (long)rows * inFeatures, nameof(input)), P(weight, (long)outFeatures * inFeatures, nameof(weight)),
            rows, inFeatures, outFeatures, accumulateInput);
    }

    /// <inheritdoc />
    public void RopeForward(BufferView<float> x, BufferView<float> cos, BufferView<float> sin, BufferView<int> positions, int rows, int heads, int headDim) =>
        RopeApply(x, cos, sin, positions, rows, heads, headDim, inverse: false);

    /// <inheritdoc />
    public void RopeBackward(BufferView<float> grad, BufferView<float> cos, BufferView<float> sin, BufferView<int> positions, int rows, int heads, int headDim) =>
        RopeApply(grad, cos, sin, positions, rows, heads, headDim, inverse: true);

    private void RopeApply(BufferView<float> x, BufferView<float> cos, BufferView<float> sin, BufferView<int> positions, int rows, int heads, int headDim, bool inverse)
    {
        if (headDim % 2 != 0) throw new ArgumentException($"Rotary embedding needs an even head dimension, not {headDim}.");
        int half = headDim / 2;
        int maxPosition = (int)(cos.Length / half);
        Rope.Apply(_workers, P(x, (long)rows * heads * headDim, nameof(x)), P(cos, (long)maxPosition * half, nameof(cos)), P(sin, (long)maxPosition * half, nameof(sin)),
            P(positions, rows, nameof(positions)), rows, heads, headDim, maxPosition, inverse);
    }

    /// <inheritdoc />
    public void AttentionForward(BufferView<float> output, BufferView<float> saved, BufferView<float> q, BufferView<float> k, BufferView<float> v,
        BufferView<int> keyStart, int batchRows, int rowLength, int heads, int kvHeads, int headDim, float scale, bool saveProbabilities)
    {
        long tokens = (long)batchRows * rowLength;
        long savedLength = saveProbabilities ? (long)batchRows * heads * rowLength * rowLength : (long)batchRows * heads * rowLength;
        Attention.Forward(_workers, _gemm.Sequential, P(output, tokens * heads * headDim, nameof(output)), Optional(saved, savedLength, nameof(saved)),
            saveProbabilities, P(q, tokens * heads * headDim, nameof(q)), P(k, tokens * kvHeads * headDim, nameof(k)), P(v, tokens * kvHeads * headDim, nameof(v)),
            P(keyStart, tokens, nameof(keyStart)), batchRows, rowLength, heads, kvHeads, headDim, scale);
    }

    /// <inheritdoc />
    public void AttentionBackward(BufferView<float> qGrad, BufferView<float> kGrad, BufferView<float> vGrad, BufferView<float> outputGrad,
        BufferView<float> q, BufferView<float> k, BufferView<float> v, BufferView<float> saved, BufferView<int> keyStart,
        int batchRows, int rowLength, int heads, int kvHeads, int headDim, float scale, bool saveProbabilities)
    {
        long tokens = (long)batchRows * rowLength;
        long qn = tokens * heads * headDim, kn = tokens * kvHeads * headDim;
        long savedLength = saveProbabilities ? (long)batchRows * heads * rowLength * rowLength : (long)batchRows * heads * rowLength;
        Attention.Backward(_workers, _gemm.Sequential, P(qGrad, qn, nameof(qGrad)), P(kGrad, kn, nameof(kGrad)), P(vGrad, kn, nameof(vGrad)),
            P(outputGrad, qn, nameof(outputGrad)), P(q, qn, nameof(q)), P(k, kn, nameof(k)), P(v, kn, nameof(v)), P(saved, savedLength, nameof(saved)),
            saveProbabilities, P(keyStart, tokens, nameof(keyStart)), batchRows, rowLength, heads, kvHeads, headDim, scale);
    }

    /// <inheritdoc />
    public void KvCacheWrite(BufferView<float> keyCache, BufferView<float> valueCache, BufferView<float> k, BufferView<float> v,
        BufferView<int> slots, BufferView<int> positions, int rows, int kvDim, int capacity)
    {
        int slotCount = (int)(keyCache.Length / ((long)capacity * kvDim));
        long cacheSize = (long)slotCount * capacity * kvDim;
        CachedAttention.Write(P(keyCache, cacheSize, nameof(keyCache)), P(valueCache, cacheSize, nameof(valueCache)), P(k, (long)rows * kvDim, nameof(k)),
            P(v, (long)rows * kvDim, nameof(v)), P(slots, rows, nameof(slots)), P(positions, rows, nameof(positions)), rows, kvDim, capacity, slotCount);
    }

    /// <inheritdoc />
    public void CachedAttentionForward(BufferView<float> output, BufferView<float> q, BufferView<float> keyCache, BufferView<float> valueCache,
        BufferView<int> slots, BufferView<int> positions, int rows, int capacity, int heads, int kvHeads, int headDim, float scale, int window)
    {
        long kvDim = (long)kvHeads * headDim;
        int slotCount = (int)(keyCache.Length / (capacity * kvDim));
        int* sp = P(slots, rows, nameof(slots));
        int* pp = P(positions, rows, nameof(positions));
        for (int i = 0; i < rows; i++)
        {
            if ((uint)sp[i] >= (uint)slotCount || (uint)pp[i] >= (uint)capacity)
            {
                throw new ArgumentOutOfRangeException(nameof(positions), $"Row {i} reads slot {sp[i]} position {pp[i]} outside a cache of {slotCount} slots × {capacity} positions.");
            }
        }
        if (kvHeads <= 0 || heads % kvHeads != 0) throw new ArgumentException($"{heads} query heads cannot be grouped over {kvHeads} key/value heads.");
        long cacheSize = slotCount * capacity * kvDim;
        CachedAttention.Forward(_workers, _gemm.Sequential, P(output, (long)rows * heads * headDim, nameof(output)), P(q, (long)rows * heads * headDim, nameof(q)),
            P(keyCache, cacheSize, nameof(keyCache)), P(valueCache, cacheSize, nameof(valueCache)), sp, pp, rows, capacity, heads, kvHeads, headDim, scale, window);
    }

    /// <inheritdoc />
    public void GatedActivationForward(BufferView<float> output, BufferView<float> gate, BufferView<float> up, long count, Activation activation) =>
        GatedActivation.Forward(_workers, P(output, count, nameof(output)), P(gate, count, nameof(gate)), P(up, count, nameof(up)), count, activation);

    /// <inheritdoc />
    public void GatedActivationBackward(BufferView<float> gateGrad, BufferView<float> upGrad, BufferView<float> outputGrad, BufferView<float> gate,
        BufferView<float> up, long count, Activation activation) =>
        GatedActivation.Backward(_workers, P(gateGrad, count, nameof(gateGrad)), P(upGrad, count, nameof(upGrad)), P(outputGrad, count, nameof(outputGrad)),
            P(gate, count, nameof(gate)), P(up, count, nameof(up)), count, activation);

    /// <inheritdoc />
    public void CrossEntropyForward(BufferView<float> nll, BufferView<float> logSumExp, BufferView<int> isArgmax, BufferView<float> logits,
        BufferView<int> targets, int rows, int vocab) =>
        CrossEntropy.Forward(_workers, P(nll, rows, nameof(nll)), P(logSumExp, rows, nameof(logSumExp)), isArgmax.IsNone ? null : P(isArgmax, rows, nameof(isArgmax)),
            P(logits, (long)rows * vocab, nameof(logits)), P(targets, rows, nameof(targets)), rows, vocab);

    /// <inheritdoc />
    public void CrossEntropyBackward(BufferView<float> logits, BufferView<float> logSumExp, BufferView<int> targets, BufferView<float> coefficients, int rows, int vocab) =>
        CrossEntropy.Backward(_workers, P(logits, (long)rows * vocab, nameof(logits)), P(logSumExp, rows, nameof(logSumExp)), P(targets, rows, nameof(targets)),
            P(coefficients, rows, nameof(coefficients)), rows, vocab);

    /// <inheritdoc />
    public void GatherRows(BufferView<float> output, BufferView<float> input, BufferView<int> indices, int count, int dim) =>
        Rows.Gather(_workers, P(output, (long)count * dim, nameof(output)), P(input, input.Length, nameof(input)), P(indices, count, nameof(indices)), count, dim, input.Length / dim);

    /// <inheritdoc />
    public void ScatterAddRows(BufferView<float> output, BufferView<float> input, BufferView<int> indices, int count, int dim) =>
        Rows.ScatterAdd(_workers, P(output, output.Length, nameof(output)), P(input, (long)count * dim, nameof(input)), P(indices, count, nameof(indices)), count, dim, output.Length / dim);

    /// <inheritdoc />
    public void DropoutForward(BufferView<float> output, BufferView<float> mask, BufferView<float> input, long count, float probability, ulong seed) =>
        Dropout.Forward(_workers, P(output, count, nameof(output)), P(mask, count, nameof(mask)), P(input, count, nameof(input)), count, probability, seed);

    /// <inheritdoc />
    public void AdamWStep(BufferView<float> parameters, BufferView<float> gradients, BufferView<float> firstMoment, BufferView<float> secondMoment,
        double learningRate, double beta1, double beta2, double epsilon, double weightDecay, int step, float gradientScale = 1f)
    {
        long n = parameters.Length;
        AdamW.Step(_workers, P(parameters, n, nameof(parameters)), P(gradients, n, nameof(gradients)), P(firstMoment, n, nameof(firstMoment)),
            P(secondMoment, n, nameof(secondMoment)), n, learningRate, beta1, beta2, epsilon, weightDecay, step, gradientScale);
    }

    /// <inheritdoc />
    public void Synchronize() { }

    /// <inheritdoc />
    public void Dispose()
    {
        _workers.Dispose();
        (_gemm as IDisposable)?.Dispose();
        if (_scratch is not null) NativeMemory.AlignedFree(_scratch);
        _scratch = null;
        _scratchCapacity = 0;
    }
}
