using Retain.Kernel.Adapters;
using Retain.Kernel.Backends;
using Retain.Kernel.Formats.Safetensors;
using Retain.Kernel.Models;
using Retain.Training;

namespace Retain.Kernel.Training;

/// <summary>
/// Optimizer steps over a model: forward of each micro-batch, per-token NLLs handed to the token objectives (standard
/// SFT when none is primary), backward with dlogits_i = c_i·(softmax_i − onehot_i), gradient accumulation across
/// micro-batches, gradient regularizers, global-norm clipping, AdamW with the schedule. Built once per run from the
/// run's strategies: adapters are configured first, then a frozen reference copy (when an objective needs reference
/// NLLs) and a θ0 snapshot (when a regularizer needs it) are taken. The model passed in must hold the initial weights.
/// A step allocates nothing once buffers have grown to the largest micro-batch.
/// </summary>
public sealed class TrainingSession : IDisposable
{
    private readonly TransformerModel _model;
    private readonly ITokenObjective[] _objectives;
    private readonly IGradientRegularizer[] _regularizers;
    private readonly IModelAdapter[] _adapters;
    private readonly IPretrainingPass[] _pretrainingPasses;
    private readonly bool _hasPrimary;
    private readonly TransformerModel? _reference;
    private readonly ParameterSpace _space;
    private readonly ParameterRun[] _runs;
    private readonly DeviceBuffer<float>[] _firstMoments;
    private readonly DeviceBuffer<float>[] _secondMoments;
    private readonly List<MicroBatchRecord> _records = [];
    private int _lastMicroBatchCount;

    private sealed class MicroBatchRecord
    {
        public readonly TokenBatch Tokens = new();
        public float[] Loss = [];
        public float[] Coefficient = [];

        public void Ensure(int count)
        {
            if (Loss.Length >= count) return;
            Loss = new float[Math.Max(count, Loss.Length * 2)];
            Coefficient = new float[Loss.Length];
        }
    }

    /// <summary>Sets up training of <paramref name="model"/> with the run's strategies (any mix of the strategy roles).</summary>
    public TrainingSession(TransformerModel model, TrainingOptions options, IReadOnlyList<ITrainingStrategy>? strategies = null)
    {
        options.Validate();
        _model = model;
        Options = options;
        strategies ??= [];
        _objectives = strategies.OfType<ITokenObjective>().ToArray();
        _regularizers = strategies.OfType<IGradientRegularizer>().ToArray();
        _adapters = strategies.OfType<IModelAdapter>().ToArray();
        _pretrainingPasses = strategies.OfType<IPretrainingPass>().ToArray();
        int primaries = _objectives.Count(o => o.IsPrimary);
        if (primaries > 1) throw new ArgumentException($"A run has at most one primary token objective; got {primaries} ({string.Join(", ", _objectives.Where(o => o.IsPrimary).Select(o => o.GetType().Name))}).");
        _hasPrimary = primaries == 1;

        if (_objectives.Any(o => (o.Needs & TokenObjectiveNeeds.ReferenceNll) != 0))
        {
            _reference = new TransformerModel(model.Config, model.Backend, model.Options);
            _reference.CopyWeightsFrom(model);
        }
        var builder = new AdapterBuilder(model, options.Seed);
        foreach (var adapter in _adapters) adapter.Configure(builder);

        model.Parameters.EnsureGradients();
        _runs = model.Parameters.TrainableRuns().ToArray();
        if (_runs.Length == 0) throw new InvalidOperationException("No parameter is trainable.");
        _firstMoments = _runs.Select(r => model.Backend.Allocate(r.Values.Length)).ToArray();
        _secondMoments = _runs.Select(r => model.Backend.Allocate(r.Values.Length)).ToArray();
        _space = new ParameterSpace(model, keepInitial: _regularizers.Any(r => r.NeedsInitialWeights));
    }

    /// <summary>The settings.</summary>
    public TrainingOptions Options { get; }

    /// <summary>The model being trained.</summary>
    public TransformerModel Model => _model;

    /// <summary>Optimizer steps taken.</summary>
    public int StepCount { get; private set; }

    /// <summary>The trainable parameters as regularizers see them.</summary>
    public IParameterSpace ParameterSpace => _space;

    /// <summary>The frozen initial model, when an objective needs reference NLLs.</summary>
    public TransformerModel? ReferenceModel => _reference;

    /// <summary>The pre-training passes of the run (run them with <see cref="RunPretrainingPasses"/> before the first step).</summary>
    public IReadOnlyList<IPretrainingPass> PretrainingPasses => _pretrainingPasses;

    /// <summary>Runs every pre-training pass with a context over the (still initial) model.</summary>
    public void RunPretrainingPasses(IPretrainingContext context)
    {
        if (StepCount > 0) throw new InvalidOperationException("Pre-training passes must run before the first step.");
        foreach (var pass in _pretrainingPasses) pass.Run(context);
    }

    /// <summary>Lets every adapter write its own files (e.g. a PEFT adapter) into <paramref name="directory"/>.</summary>
    public void ExportAdapters(string directory, string baseModelPath)
    {
        var export = new AdapterExport(_model, directory, baseModelPath);
        foreach (var adapter in _adapters) adapter.Export(export);
    }

    // ---- per-token data of the last step ---------------------------------------------------------------------

    /// <summary>Micro-batches of the last step.</summary>
    public int LastMicroBatchCount => _lastMicroBatchCount;

    /// <summary>The token batch (NLLs, reference NLLs, sequence/position/example indexes) of a micro-batch of the last step; valid until the next step.</summary>
    public TokenBatch LastTokens(int microBatch) => Record(microBatch).Tokens;

    /// <summary>loss_i of a micro-batch of the last step (Σ over all micro-batches is the step's loss).</summary>
    public ReadOnlySpan<float> LastLoss(int microBatch) => Record(microBatch).Loss.AsSpan(0, Record(microBatch).Tokens.Count);

    /// <summary>c_i = ∂loss/∂ℓ_i of a micro-batch of the last step.</summary>
    public ReadOnlySpan<float> LastCoefficients(int microBatch) => Record(microBatch).Coefficient.AsSpan(0, Record(microBatch).Tokens.Count);

    private MicroBatchRecord Record(int microBatch) =>
        (uint)microBatch < (uint)_lastMicroBatchCount ? _records[microBatch] : throw new ArgumentOutOfRangeException(nameof(microBatch));

    // ---- the step ----------------------------------------------------------------------------------------------

    /// <summary>Sizes every buffer for micro-batches up to this shape so that no step allocates.</summary>
    public void Reserve(int rows, int length, int scored, int microBatches = 1)
    {
        _model.Reserve(rows, length, scored, training: true);
        _reference?.Reserve(rows, length, scored, training: false);
        while (_records.Count < microBatches) _records.Add(new MicroBatchRecord());
        foreach (var r in _records)
        {
            r.Ensure(scored);
            r.Tokens.Prepare(scored);
        }
    }

    /// <summary>One optimizer step over the micro-batches (gradient accumulation).</summary>
    public StepResult Step(IReadOnlyList<TrainingBatch> microBatches, int epoch = 0, IMetricSink? metrics = null)
    {
        metrics ??= NullMetricSink.Instance;
        var perStrategy = metrics as IStrategyMetricSinks;
        if (microBatches.Count == 0) throw new ArgumentException("A step needs at least one micro-batch.");
        int total = 0;
        for (int k = 0; k < microBatches.Count; k++) total += microBatches[k].ScoredCount;
        if (total == 0) throw new ArgumentException("The step's micro-batches contain no supervised tokens.");
        var b = _model.Backend;
        _model.Parameters.ZeroGradients();
        while (_records.Count < microBatches.Count) _records.Add(new MicroBatchRecord());
        _lastMicroBatchCount = microBatches.Count;

        double loss = 0, nllSum = 0;
        float inverseN = 1f / total;
        for (int k = 0; k < microBatches.Count; k++)
        {
            var batch = microBatches[k];
            var record = _records[k];
            int m = batch.ScoredCount;
            ulong seed = (ulong)(uint)Options.Seed * 0x9E3779B97F4A7C15UL + (ulong)StepCount * 0xBF58476D1CE4E5B9UL + (ulong)k;
            _model.Forward(batch.Inputs, training: true, dropoutSeed: seed);

            var tokens = record.Tokens;
            var buffers = tokens.Prepare(m);
            _model.ReadNll(buffers.Nll);
            batch.TokenSequence.AsSpan(0, m).CopyTo(buffers.Sequence);
            batch.TokenPosition.AsSpan(0, m).CopyTo(buffers.Position);
            batch.TokenExample.AsSpan(0, m).CopyTo(buffers.Example);
            tokens.HasReference = false;
            if (_reference is not null)
            {
                _reference.Forward(batch.Inputs, training: false);
                _reference.ReadNll(buffers.ReferenceNll);
                tokens.HasReference = true;
            }
            tokens.SequenceCount = batch.SequenceCount;
            tokens.Normalizer = total;
            tokens.Step = StepCount;
            tokens.Epoch = epoch;
            tokens.MicroBatch = k;

            record.Ensure(m);
            var lossSpan = record.Loss.AsSpan(0, m);
            var coefficient = record.Coefficient.AsSpan(0, m);
            lossSpan.Clear();
            coefficient.Clear();
            var nll = tokens.Nll;
            if (!_hasPrimary)
            {
                for (int i = 0; i < m; i++)
                {
                    lossSpan[i] += nll[i] * inverseN;
                    coefficient[i] += inverseN;
                }
            }
            for (int o = 0; o < _objectives.Length; o++) _objectives[o].Accumulate(tokens, lossSpan, coefficient, perStrategy?.For(_objectives[o]) ?? metrics);
            for (int i = 0; i < m; i++)
            {
                loss += lossSpan[i];
                nllSum += nll[i];
            }
            _model.Backward(coefficient);
        }

        double regularizer = 0;
        for (int r = 0; r < _regularizers.Length; r++) regularizer += _regularizers[r].Apply(_space, perStrategy?.For(_regularizers[r]) ?? metrics);

        double squares = 0;
        for (int r = 0; r < _runs.Length; r++) squares += b.SumOfSquares(_runs[r].Gradients);
        double norm = Math.Sqrt(squares);
        // PyTorch clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is below 1; folded into the AdamW pass.
        float clip = Options.MaxGradNorm > 0 && norm > Options.MaxGradNorm ? (float)(Options.MaxGradNorm / (norm + 1e-6)) : 1f;

        double lr = Options.LearningRateAt(StepCount);
        for (int r = 0; r < _runs.Length; r++)
        {
            var run = _runs[r];
            b.AdamWStep(run.Values, run.Gradients, _firstMoments[r].View, _secondMoments[r].View, lr, Options.Beta1, Options.Beta2,
                Options.Epsilon, run.Decays ? Options.WeightDecay : 0, StepCount + 1, clip);
        }
        StepCount++;
        return new StepResult(StepCount, loss + regularizer, regularizer, norm, lr, total, nllSum / total);
    }

    // ---- resume ------------------------------------------------------------------------------------------------

    /// <summary>The state file inside a state directory.</summary>
    public const string StateFileName = "training_state.safetensors";

    /// <summary>
    /// Writes what a resume needs beyond the initial model: trainable values, both AdamW moments (per tensor, by name)
    /// and the step count, as float32 — so a resumed run continues bit for bit. Written atomically.
    /// </summary>
    public void SaveState(string directory)
    {
        Directory.CreateDirectory(directory);
        var tensors = new List<SafetensorsTensor>();
        foreach (var (tensor, run) in TrainableTensors())
        {
            var shape = tensor.Shape.Select(x => (long)x).ToArray();
            tensors.Add(SafetensorsTensor.FromFloats("param." + tensor.Name, shape, _model.Parameters.ReadHost(tensor)));
            tensors.Add(SafetensorsTensor.FromFloats("exp_avg." + tensor.Name, shape, Read(MomentView(_firstMoments, run, tensor))));
            tensors.Add(SafetensorsTensor.FromFloats("exp_avg_sq." + tensor.Name, shape, Read(MomentView(_secondMoments, run, tensor))));
        }
        var metadata = new Dictionary<string, string> { ["format"] = "retain-training-state-v1", ["step"] = StepCount.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        SafetensorsWriter.Write(Path.Combine(directory, StateFileName), tensors, metadata);
    }

    /// <summary>Restores a state written by <see cref="SaveState"/> into this freshly built session.</summary>
    public void LoadState(string directory)
    {
        string path = Path.Combine(directory, StateFileName);
        using var file = SafetensorsFile.Open(path);
        if (!file.Metadata.TryGetValue("format", out var format) || format != "retain-training-state-v1")
        {
            throw new ModelFormatException($"{path}: not a Retain training state (metadata format '{format}').");
        }
        if (!file.Metadata.TryGetValue("step", out var stepText) || !int.TryParse(stepText, System.Globalization.CultureInfo.InvariantCulture, out int step) || step < 0)
        {
            throw new ModelFormatException($"{path}: missing or invalid 'step' metadata.");
        }
        foreach (var (tensor, run) in TrainableTensors())
        {
            Restore(file, "param." + tensor.Name, tensor, tensor.Value, path);
            Restore(file, "exp_avg." + tensor.Name, tensor, MomentView(_firstMoments, run, tensor), path);
            Restore(file, "exp_avg_sq." + tensor.Name, tensor, MomentView(_secondMoments, run, tensor), path);
        }
        StepCount = step;
    }

    private void Restore(SafetensorsFile file, string name, ParameterTensor tensor, BufferView<float> destination, string path)
    {
        if (!file.Contains(name)) throw new ModelFormatException($"{path}: no '{name}'; the state was saved for a different set of trainable parameters.");
        var info = file[name];
        if (info.ElementCount != tensor.Length) throw new ModelFormatException($"{path}: '{name}' has {info.ElementCount} elements, the model's tensor {tensor.Length}.");
        var host = new float[tensor.Length];
        file.ReadFloat32(info, host);
        _model.Backend.Upload(host, destination);
    }

    private IEnumerable<(ParameterTensor Tensor, int Run)> TrainableTensors()
    {
        foreach (var t in _model.Parameters.Tensors)
        {
            if (!t.Trainable) continue;
            int run = Array.FindIndex(_runs, r => r.Group == t.Group && t.Offset >= r.Offset && t.Offset + t.Length <= r.Offset + r.Values.Length);
            if (run < 0) throw new InvalidOperationException($"Trainable tensor {t.Name} is in no optimizer run; trainability changed after the session was built.");
            yield return (t, run);
        }
    }

    private BufferView<float> MomentView(DeviceBuffer<float>[] moments, int run, ParameterTensor tensor) =>
        moments[run].Slice(tensor.Offset - _runs[run].Offset, tensor.Length);

    private float[] Read(BufferView<float> view)
    {
        var host = new float[view.Length];
        _model.Backend.Download(view, host);
        return host;
    }

    /// <summary>Frees optimizer state, θ0 and the reference model.</summary>
    public void Dispose()
    {
        foreach (var m in _firstMoments) m.Dispose();
        foreach (var m in _secondMoments) m.Dispose();
        _space.Dispose();
        _reference?.Dispose();
    }
}
