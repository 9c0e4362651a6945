namespace Retain.Training;

/// <summary>
/// A per-token term of the training loss, written in plain C# over spans; the kernel never needs to know which
/// method produced it.
/// <para>
/// For every supervised token i of a micro-batch the kernel passes the NLL ℓ_i = −log p_i (and, when asked, the
/// frozen initial model's NLL). Each objective <b>adds</b> its loss contribution to <c>loss[i]</c> and its derivative
/// ∂loss/∂ℓ_i to <c>coefficient[i]</c>; the kernel back-propagates
/// dlogits_i = coefficient[i] · (softmax_i − onehot(y_i)). Anything computed from ℓ (TALR's weights, DFT's p_i) is a
/// constant for the gradient (stop-gradient) unless the objective includes its derivative itself.
/// </para>
/// <para>
/// Normalisation is explicit: <see cref="TokenBatch.Normalizer"/> is N, the number of supervised tokens of the whole
/// optimizer step (all gradient-accumulation micro-batches), so the standard objective adds ℓ_i/N and 1/N and the
/// step's loss is the mean NLL exactly as Algorithm 1 of the paper divides by N.
/// </para>
/// </summary>
public interface ITokenObjective : ITrainingStrategy
{
    /// <summary>
    /// True when the objective contains the data-fit term (standard, TALR, DFT, FLOW); a run has at most one. False
    /// for additive terms (KL) that sit beside it; when no primary objective is configured, standard SFT is used.
    /// </summary>
    bool IsPrimary { get; }

    /// <summary>What the kernel must compute beyond the NLLs.</summary>
    TokenObjectiveNeeds Needs => TokenObjectiveNeeds.None;

    /// <summary>Adds this objective's terms for one micro-batch. Must not allocate per call.</summary>
    void Accumulate(TokenBatch batch, Span<float> loss, Span<float> coefficient, IMetricSink metrics);
}

/// <summary>Extra inputs an objective asks the kernel for.</summary>
[Flags]
public enum TokenObjectiveNeeds
{
    /// <summary>Only the NLLs.</summary>
    None = 0,
    /// <summary>The frozen initial model's NLL of every supervised token (one extra forward per micro-batch).</summary>
    ReferenceNll = 1,
}

/// <summary>
/// The supervised tokens of one micro-batch, in order: sequence by sequence, position by position. The spans stay
/// valid only during the <see cref="ITokenObjective.Accumulate"/> call.
/// </summary>
public sealed class TokenBatch
{
    private float[] _nll = [];
    private float[] _referenceNll = [];
    private int[] _sequence = [];
    private int[] _position = [];
    private int[] _example = [];

    /// <summary>Supervised tokens in this micro-batch.</summary>
    public int Count { get; private set; }

    /// <summary>Sequences in this micro-batch.</summary>
    public int SequenceCount { get; set; }

    /// <summary>N: supervised tokens in the whole optimizer step (all accumulated micro-batches).</summary>
    public float Normalizer { get; set; } = 1;

    /// <summary>Optimizer step, 0-based.</summary>
    public int Step { get; set; }

    /// <summary>Epoch, 0-based.</summary>
    public int Epoch { get; set; }

    /// <summary>Index of this micro-batch within its optimizer step.</summary>
    public int MicroBatch { get; set; }

    /// <summary>ℓ_i = −log p(y_i | context), in nats.</summary>
    public ReadOnlySpan<float> Nll => _nll.AsSpan(0, Count);

    /// <summary>The frozen initial model's NLL of the same tokens; empty unless <see cref="TokenObjectiveNeeds.ReferenceNll"/> was asked.</summary>
    public ReadOnlySpan<float> ReferenceNll => HasReference ? _referenceNll.AsSpan(0, Count) : default;

    /// <summary>Whether <see cref="ReferenceNll"/> is filled.</summary>
    public bool HasReference { get; set; }

    /// <summary>Index of the token's sequence within the micro-batch, 0..SequenceCount-1, non-decreasing.</summary>
    public ReadOnlySpan<int> Sequence => _sequence.AsSpan(0, Count);

    /// <summary>Position of the token within its target (0 = first supervised token of its sequence).</summary>
    public ReadOnlySpan<int> Position => _position.AsSpan(0, Count);

    /// <summary>Index of the token's training example in the training split (stable across epochs and resumes).</summary>
    public ReadOnlySpan<int> Example => _example.AsSpan(0, Count);

    /// <summary>Writable views for the kernel that fills the batch; grows the buffers when needed.</summary>
    public TokenBatchBuffers Prepare(int count)
    {
        if (_nll.Length < count)
        {
            int size = Math.Max(count, _nll.Length * 2);
            _nll = new float[size];
            _referenceNll = new float[size];
            _sequence = new int[size];
            _position = new int[size];
            _example = new int[size];
        }
        Count = count;
        return new TokenBatchBuffers(_nll.AsSpan(0, count), _referenceNll.AsSpan(0, count),
            _sequence.AsSpan(0, count), _position.AsSpan(0, count), _example.AsSpan(0, count));
    }
}

/// <summary>Writable views of a <see cref="TokenBatch"/>'s buffers.</summary>
public readonly ref struct TokenBatchBuffers(Span<float> nll, Span<float> referenceNll, Span<int> sequence, Span<int> position, Span<int> example)
{
    /// <summary>NLL per token.</summary>
    public Span<float> Nll { get; } = nll;
    /// <summary>Reference NLL per token.</summary>
    public Span<float> ReferenceNll { get; } = referenceNll;
    /// <summary>Sequence index per token.</summary>
    public Span<int> Sequence { get; } = sequence;
    /// <summary>Target position per token.</summary>
    public Span<int> Position { get; } = position;
    /// <summary>Training-example index per token.</summary>
    public Span<int> Example { get; } = example;
}
