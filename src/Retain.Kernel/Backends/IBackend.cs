namespace Retain.Kernel.Backends;

/// <summary>
/// The op set every backend implements (llm.c style: each family's forward and backward side by side). Model code
/// calls only these, on <see cref="BufferView{T}"/>s of buffers the backend allocated, so a CUDA backend can run the
/// same model code. Shapes are row-major; "rows" is the token count of the call. Gradients that an op
/// "accumulates" are added to (+=), the others are overwritten. An optional argument passed as
/// <see cref="BufferView{T}.None"/> is skipped (no bias, no gradient wanted).
/// </summary>
public interface IBackend : IDisposable
{
    /// <summary>A short description, e.g. <c>cpu (2 threads, OpenBLAS gemm)</c>.</summary>
    string Name { get; }

    // ---- memory ----------------------------------------------------------------------------------------------

    /// <summary>A zero-filled float buffer.</summary>
    DeviceBuffer<float> Allocate(long length);

    /// <summary>A zero-filled int buffer.</summary>
    DeviceBuffer<int> AllocateInt(long length);

    /// <summary>Copies host floats into a view (lengths must match).</summary>
    void Upload(ReadOnlySpan<float> source, BufferView<float> destination);

    /// <summary>Copies host ints into a view (lengths must match).</summary>
    void Upload(ReadOnlySpan<int> source, BufferView<int> destination);

    /// <summary>Copies a view into host memory (lengths must match).</summary>
    void Download(BufferView<float> source, Span<float> destination);

    /// <summary>Copies an int view into host memory (lengths must match).</summary>
    void Download(BufferView<int> source, Span<int> destination);

    /// <summary>Copies between views of the same length.</summary>
    void Copy(BufferView<float> source, BufferView<float> destination);

    /// <summary>Sets every element of a view.</summary>
    void Fill(BufferView<float> destination, float value);

    // ---- elementwise and reductions --------------------------------------------------------------------------

    /// <summary>output = a + b.</summary>
    void Add(BufferView<float> output, BufferView<float> a, BufferView<float> b);

    /// <summary>target += source.</summary>
    void AddInPlace(BufferView<float> target, BufferView<float> source);

    /// <summary>target *= factor.</summary>
    void Scale(BufferView<float> target, float factor);

    /// <summary>target += factor · (a − b) (the L2-to-initial gradient).</summary>
    void AddScaledDifference(BufferView<float> target, BufferView<float> a, BufferView<float> b, float factor);

    /// <summary>Σ x², accumulated in double with a fixed reduction order (deterministic).</summary>
    double SumOfSquares(BufferView<float> x);

    /// <summary>Σ (a − b)², accumulated in double with a fixed reduction order.</summary>
    double SquaredDistance(BufferView<float> a, BufferView<float> b);

    // ---- general matrix multiply -----------------------------------------------------------------------------

    /// <summary>
    /// C = alpha · op(A) · op(B) + beta · C with row-major matrices; op(A) is m×k, op(B) is k×n, C is m×n with
    /// leading dimensions lda, ldb, ldc. With beta = 0, C is not read.
    /// </summary>
    void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, BufferView<float> a, int lda,
        BufferView<float> b, int ldb, float beta, BufferView<float> c, int ldc);

    // ---- embedding -------------------------------------------------------------------------------------------

    /// <summary>output[i] = scale · table[ids[i]] for i &lt; rows; output is rows×dim.</summary>
    void EmbeddingForward(BufferView<float> output, BufferView<float> table, BufferView<int> ids, int rows, int dim, float scale);

    /// <summary>tableGrad[ids[i]] += scale · outputGrad[i] (accumulates; deterministic order).</summary>
    void EmbeddingBackward(BufferView<float> tableGrad, BufferView<float> outputGrad, BufferView<int> ids, int rows, int dim, float scale);

    // ---- RMSNorm (also the per-head q/k norm: rows = tokens × heads, dim = head_dim) ---------------------------

    /// <summary>
    /// output = x · rstd · (weightOffset + w), rstd = 1/√(mean(x²) + eps) saved per row. weightOffset is 0 for
    /// Llama/Qwen and 1 for Gemma's (1 + w) norms.
    /// </summary>
    void RmsNormForward(BufferView<float> output, BufferView<float> rstd, BufferView<float> input, BufferView<float> weight,
        int rows, int dim, float eps, float weightOffset);

    /// <summary>Back-propagates through RMSNorm; inputGrad is accumulated when <paramref name="accumulate"/>, weightGrad always.</summary>
    void RmsNormBackward(BufferView<float> inputGrad, BufferView<float> weightGrad, BufferView<float> outputGrad,
        BufferView<float> input, BufferView<float> weight, BufferView<float> rstd, int rows, int dim, float weightOffset, bool accumulate);

    // ---- linear layers ---------------------------------------------------------------------------------------

    /// <summary>output = input · weightᵀ + bias; input rows×in, weight out×in (Hugging Face layout), output rows×out.</summary>
    void LinearForward(BufferView<float> output, BufferView<float> input, BufferView<float> weight, BufferView<float> bias,
        int rows, int inFeatures, int outFeatures);

    /// <summary>
    /// inputGrad (=, or += when <paramref name="accumulateInput"/>) = outputGrad · weight; weightGrad += outputGradᵀ · input;
    /// biasGrad += Σ_rows outputGrad.
    /// </summary>
    void LinearBackward(BufferView<float> inputGrad, BufferView<float> weightGrad, BufferView<float> biasGrad,
        BufferView<float> outputGrad, BufferView<float> input, BufferView<float> weight, int rows, int inFeatures, int outFeatures,
        bool accumulateInput);

    // ---- rotary position embedding (rotate-half layout, as Hugging Face) -------------------------------------

    /// <summary>Rotates x (rows×heads×headDim) in place by the angles of each row's position; cos/sin are positions×(headDim/2).</summary>
    void RopeForward(BufferView<float> x, BufferView<float> cos, BufferView<float> sin, BufferView<int> positions, int rows, int heads, int headDim);

    /// <summary>Applies the inverse rotation to a gradient in place.</summary>
    void RopeBackward(BufferView<float> grad, BufferView<float> cos, BufferView<float> sin, BufferView<int> positions, int rows, int heads, int headDim);

    // ---- causal attention over a batch of rows (training, scoring) -------------------------------------------

    /// <summary>
    /// Causal grouped-query attention over <paramref name="batchRows"/> rows of <paramref name="rowLength"/> tokens.
    /// Token t of a row attends keys keyStart[t] … t of the same row (keyStart encodes packing boundaries and sliding
    /// windows). q is tokens×heads×headDim, k and v tokens×kvHeads×headDim, output tokens×heads×headDim. What is kept
    /// for backward goes to <paramref name="saved"/>: with <paramref name="saveProbabilities"/> the softmax itself
    /// (batchRows×heads×rowLength×rowLength), otherwise each row's log-sum-exp (batchRows×heads×rowLength) from which
    /// the backward recomputes the probabilities; <see cref="BufferView{T}.None"/> keeps nothing (inference).
    /// </summary>
    void AttentionForward(BufferView<float> output, BufferView<float> saved, BufferView<float> q, BufferView<float> k,
        BufferView<float> v, BufferView<int> keyStart, int batchRows, int rowLength, int heads, int kvHeads, int headDim, float scale,
        bool saveProbabilities);

    /// <summary>Gradients of q, k and v (overwritten) from what the forward saved (same <paramref name="saveProbabilities"/>).</summary>
    void AttentionBackward(BufferView<float> qGrad, BufferView<float> kGrad, BufferView<float> vGrad, BufferView<float> outputGrad,
        BufferView<float> q, BufferView<float> k, BufferView<float> v, BufferView<float> saved, BufferView<int> keyStart,
        int batchRows, int rowLength, int heads, int kvHeads, int headDim, float scale, bool saveProbabilities);

    // ---- attention against a KV cache (generation) ------------------------------------------------------------

    /// <summary>
    /// Stores k and v of each row (rows×kvHeads×headDim) at cache slot slots[i], position positions[i]; caches are
    /// slotCount×capacity×kvHeads×headDim.
    /// </summary>
    void KvCacheWrite(BufferView<float> keyCache, BufferView<float> valueCache, BufferView<float> k, BufferView<float> v,
        BufferView<int> slots, BufferView<int> positions, int rows, int kvDim, int capacity);

    /// <summary>
    /// Each query row attends the cached keys of its slot at positions max(0, p − window + 1) … p (window ≤ 0: no window).
    /// </summary>
    void CachedAttentionForward(BufferView<float> output, BufferView<float> q, BufferView<float> keyCache, BufferView<float> valueCache,
        BufferView<int> slots, BufferView<int> positions, int rows, int capacity, int heads, int kvHeads, int headDim, float scale, int window);

    // ---- gated activations (SwiGLU, GeGLU-tanh) --------------------------------------------------------------

    /// <summary>output = act(gate) · up, elementwise over <paramref name="count"/> elements.</summary>
    void GatedActivationForward(BufferView<float> output, BufferView<float> gate, BufferView<float> up, long count, Activation activation);

    /// <summary>gateGrad and upGrad (overwritten) from outputGrad.</summary>
    void GatedActivationBackward(BufferView<float> gateGrad, BufferView<float> upGrad, BufferView<float> outputGrad,
        BufferView<float> gate, BufferView<float> up, long count, Activation activation);

    // ---- LM head loss ----------------------------------------------------------------------------------------

    /// <summary>
    /// Per row of logits (rows×vocab): nll = logsumexp − logit[target], logSumExp saved; isArgmax (optional) is 1 when
    /// the target has the largest logit (first index wins ties), else 0.
    /// </summary>
    void CrossEntropyForward(BufferView<float> nll, BufferView<float> logSumExp, BufferView<int> isArgmax, BufferView<float> logits,
        BufferView<int> targets, int rows, int vocab);

    /// <summary>Overwrites logits with dlogits = coefficient · (softmax − onehot(target)) per row.</summary>
    void CrossEntropyBackward(BufferView<float> logits, BufferView<float> logSumExp, BufferView<int> targets,
        BufferView<float> coefficients, int rows, int vocab);

    // ---- row gathers ------------------------------------------------------------------------------------------

    /// <summary>output[i] = input[indices[i]] (rows of dim floats).</summary>
    void GatherRows(BufferView<float> output, BufferView<float> input, BufferView<int> indices, int count, int dim);

    /// <summary>output[indices[i]] += input[i] (rows of dim floats; indices distinct).</summary>
    void ScatterAddRows(BufferView<float> output, BufferView<float> input, BufferView<int> indices, int count, int dim);

    // ---- dropout (LoRA path) ---------------------------------------------------------------------------------

    /// <summary>
    /// mask[i] = 0 with probability p, else 1/(1 − p), from a counter-based hash of (seed, i) so the mask does not
    /// depend on the thread count; output = input · mask.
    /// </summary>
    void DropoutForward(BufferView<float> output, BufferView<float> mask, BufferView<float> input, long count, float probability, ulong seed);

    /// <summary>target += a · b elementwise (dropout backward: dx += dy · mask).</summary>
    void MultiplyAccumulate(BufferView<float> target, BufferView<float> a, BufferView<float> b);

    // ---- optimizer -------------------------------------------------------------------------------------------

    /// <summary>
    /// One AdamW update (decoupled weight decay, PyTorch semantics) on g = gradientScale · gradients (clipping folded in,
    /// gradients left unchanged): p −= lr·wd·p; m = β1 m + (1−β1) g;
    /// v = β2 v + (1−β2) g²; p −= lr · (m / (1−β1^t)) / (√(v / (1−β2^t)) + eps).
    /// </summary>
    void AdamWStep(BufferView<float> parameters, BufferView<float> gradients, BufferView<float> firstMoment, BufferView<float> secondMoment,
        double learningRate, double beta1, double beta2, double epsilon, double weightDecay, int step, float gradientScale = 1f);

    /// <summary>Blocks until queued work is done (no-op on the CPU).</summary>
    void Synchronize();
}

/// <summary>The gate activation of a gated MLP.</summary>
public enum Activation
{
    /// <summary>SiLU (Llama, Qwen): x·σ(x).</summary>
    Silu,
    /// <summary>GELU, tanh approximation (Gemma's <c>gelu_pytorch_tanh</c>).</summary>
    GeluTanh,
}
