using Retain.Kernel.Formats.Safetensors;
using Retain.Kernel.Models;
using Retain.Training;

namespace Retain.Kernel.Merging;

/// <summary>A checkpoint produced by a post-training merge.</summary>
/// <param name="Label">The strategy's label, e.g. <c>alpha=0.50</c>.</param>
/// <param name="Directory">Where it was written (Hugging Face layout).</param>
public sealed record MergedCheckpoint(string Label, string Directory);

/// <summary>
/// Runs an <see cref="IPostTrainingMerge"/> over two Hugging Face checkpoints of the same architecture (θ0 and θ_ft):
/// every tensor of the fine-tuned checkpoint is merged with the same tensor of the initial one (both read as float32)
/// and each candidate is written, atomically, as a full checkpoint with the fine-tuned directory's config and tokenizer.
/// </summary>
public static class CheckpointMerger
{
    private sealed class Context : IMergeContext
    {
        public List<(string Label, TensorMerge Merge)> Candidates { get; } = [];

        public void AddCandidate(string label, TensorMerge merge)
        {
            ArgumentNullException.ThrowIfNull(merge);
            if (string.IsNullOrWhiteSpace(label)) throw new ArgumentException("A merge candidate needs a label.");
            if (Candidates.Any(c => c.Label == label)) throw new ArgumentException($"Merge candidate '{label}' is declared twice.");
            Candidates.Add((label, merge));
        }
    }

    /// <summary>The directory name used for a label (characters outside [A-Za-z0-9._=+-] become '_').</summary>
    public static string DirectoryName(string label) =>
        new(label.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '=' or '+' or '-' ? c : '_').ToArray());

    /// <summary>Declares the candidates of <paramref name="merge"/> and writes each under <paramref name="outputRoot"/>/&lt;label&gt;.</summary>
    public static IReadOnlyList<MergedCheckpoint> Run(IPostTrainingMerge merge, string initialDirectory, string fineTunedDirectory, string outputRoot,
        CheckpointSaveOptions? options = null)
    {
        options ??= new CheckpointSaveOptions();
        var context = new Context();
        merge.Merge(context);
        if (context.Candidates.Count == 0) return [];
        var names = context.Candidates.Select(c => DirectoryName(c.Label)).ToArray();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
        {
            throw new ArgumentException($"Merge labels map to the same directory name: {string.Join(", ", context.Candidates.Select(c => c.Label))}.");
        }

        using var initial = SafetensorsDirectory.Open(initialDirectory);
        using var fineTuned = SafetensorsDirectory.Open(fineTunedDirectory);
        var tensorNames = fineTuned.TensorNames.ToArray();
        foreach (var name in tensorNames)
        {
            if (!initial.Contains(name)) throw new ModelFormatException($"{initialDirectory}: the initial checkpoint has no tensor '{name}', which the fine-tuned checkpoint has.");
            var a = initial.Info(name);
            var b = fineTuned.Info(name);
            if (!a.Shape.SequenceEqual(b.Shape))
            {
                throw new ModelFormatException($"Tensor '{name}' has shape [{string.Join(", ", a.Shape)}] in {initialDirectory} but [{string.Join(", ", b.Shape)}] in {fineTunedDirectory}.");
            }
        }

        var results = new List<MergedCheckpoint>();
        for (int c = 0; c < context.Candidates.Count; c++)
        {
            var (label, tensorMerge) = context.Candidates[c];
            string target = Path.GetFullPath(Path.Combine(outputRoot, names[c]));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            string temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{names[c]}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            Directory.CreateDirectory(temporary);
            try
            {
                var tensors = tensorNames.Select(name => (name, fineTuned.Info(name).IntShape, (Func<float[]>)(() =>
                {
                    var info = fineTuned.Info(name);
                    var theta0 = new float[info.ElementCount];
                    var thetaFt = new float[info.ElementCount];
                    initial.ReadFloat32(name, theta0);
                    fineTuned.ReadFloat32(name, thetaFt);
                    var result = new float[info.ElementCount];
                    tensorMerge(name, theta0, thetaFt, result);
                    return result;
                }))).ToArray();
                Checkpoint.WriteTensors(temporary, tensors, options);
                Checkpoint.CopyCompanionFiles(fineTunedDirectory, temporary);
                Checkpoint.ReplaceDirectory(temporary, target);
            }
            catch
            {
                if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
                throw;
            }
            results.Add(new MergedCheckpoint(label, target));
        }
        return results;
    }
}
