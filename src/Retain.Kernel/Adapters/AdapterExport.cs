using Retain.Kernel.Formats.Safetensors;
using Retain.Kernel.Models;
using Retain.Training;

namespace Retain.Kernel.Adapters;

/// <summary>The trained adapter factors of a model and a safetensors writer, for <see cref="IModelAdapter.Export"/>.</summary>
public sealed class AdapterExport : IAdapterExport
{
    private readonly Lazy<IReadOnlyList<LowRankTensors>> _modules;

    /// <summary>Creates an export into <paramref name="directory"/> (created if missing).</summary>
    public AdapterExport(TransformerModel model, string directory, string baseModelPath)
    {
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        BaseModelPath = baseModelPath;
        _modules = new Lazy<IReadOnlyList<LowRankTensors>>(model.ExportLowRank);
    }

    /// <inheritdoc />
    public string Directory { get; }

    /// <inheritdoc />
    public string BaseModelPath { get; }

    /// <inheritdoc />
    public IReadOnlyList<LowRankTensors> LowRankModules => _modules.Value;

    /// <inheritdoc />
    public void WriteSafetensors(string fileName, IReadOnlyList<NamedTensor> tensors)
    {
        if (string.IsNullOrWhiteSpace(fileName) || fileName != Path.GetFileName(fileName) || fileName.Contains(".."))
        {
            throw new ArgumentException($"'{fileName}' must be a plain file name inside the export directory.");
        }
        var entries = tensors.Select(t => SafetensorsTensor.FromFloats(t.Name, t.Shape.Select(x => (long)x).ToArray(), t.Values)).ToArray();
        SafetensorsWriter.Write(Path.Combine(Directory, fileName), entries);
    }
}
