namespace Retain.Plugins;

/// <summary>
/// The key under which a component's <see cref="ComponentDescriptor"/> is registered as a keyed service. Names are
/// unique per kind (a dataset and a benchmark may both be called <c>gsm8k</c>).
/// </summary>
public readonly record struct ComponentKey(PluginKind Kind, string Name)
{
    /// <inheritdoc />
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} '{Name}'";
}
