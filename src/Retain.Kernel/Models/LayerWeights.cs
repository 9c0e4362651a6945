namespace Retain.Kernel.Models;

/// <summary>The parameters of one transformer layer.</summary>
internal sealed class LayerWeights
{
    public required ParameterTensor AttentionNorm { get; init; }
    public ParameterTensor? AttentionOutputNorm { get; init; }
    public required ParameterTensor MlpNorm { get; init; }
    public ParameterTensor? MlpOutputNorm { get; init; }
    public ParameterTensor? QNorm { get; init; }
    public ParameterTensor? KNorm { get; init; }
    public required LinearModule Q { get; init; }
    public required LinearModule K { get; init; }
    public required LinearModule V { get; init; }
    public required LinearModule O { get; init; }
    public required LinearModule Gate { get; init; }
    public required LinearModule Up { get; init; }
    public required LinearModule Down { get; init; }

    public IEnumerable<LinearModule> Linears => [Q, K, V, O, Gate, Up, Down];
}
