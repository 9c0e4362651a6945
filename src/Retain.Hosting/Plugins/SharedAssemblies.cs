namespace Retain.Hosting.Plugins;

/// <summary>
/// The assemblies the host shares with every plugin: the contracts plugins compile against and the
/// Microsoft.Extensions types that appear in them. Everything else a plugin uses is private to it.
/// </summary>
public static class SharedAssemblies
{
    /// <summary>Simple names of the shared assemblies.</summary>
    public static IReadOnlySet<string> Names { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Retain.Abstractions",
        "Microsoft.Extensions.DependencyInjection.Abstractions",
        "Microsoft.Extensions.Configuration.Abstractions",
        "Microsoft.Extensions.Logging.Abstractions",
        "Microsoft.Extensions.Options",
        "Microsoft.Extensions.Primitives",
    };
}
