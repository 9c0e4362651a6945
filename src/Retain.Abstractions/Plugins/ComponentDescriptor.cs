using Retain.Training;

namespace Retain.Plugins;

/// <summary>A registered component: what the host needs to list it, bind its options and create it.</summary>
/// <param name="Name">The configuration name.</param>
/// <param name="Kind">What it is.</param>
/// <param name="ImplementationType">The concrete class, created per use with its bound options.</param>
/// <param name="OptionsType">The options class, or null.</param>
/// <param name="Description">One sentence.</param>
public sealed record ComponentDescriptor(
    string Name,
    PluginKind Kind,
    Type ImplementationType,
    Type? OptionsType,
    string Description)
{
    /// <summary>The roles a strategy plays (token-objective, regularizer, ...); empty for other kinds.</summary>
    public IReadOnlyList<string> Roles => StrategyRoles.Of(ImplementationType);
}
