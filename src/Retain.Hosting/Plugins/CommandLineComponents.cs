using Microsoft.Extensions.Configuration;
using Retain.Hosting.Configuration;
using Retain.Plugins;

namespace Retain.Hosting.Plugins;

/// <summary>Component references written on a command line (<c>--dataset NAME --option key=value</c>).</summary>
public static class CommandLineComponents
{
    /// <summary>
    /// A reference to the component <paramref name="name"/> of <paramref name="kind"/> whose options are the
    /// <c>key=value</c> pairs; <paramref name="path"/>, when given, sets the options' first <c>*Path</c> property
    /// (the component's main file).
    /// </summary>
    public static ComponentReference Reference(PluginCatalog catalog, PluginKind kind, string name, string? path, IEnumerable<string> options)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (path is not null)
        {
            var optionsType = catalog.Find(kind, name)?.Descriptor.OptionsType;
            var pathOption = optionsType?.GetProperties().FirstOrDefault(p => p.PropertyType == typeof(string) && p.Name.EndsWith("Path", StringComparison.Ordinal) && p.CanWrite)
                ?? throw new ConfigurationException([new ConfigurationError("command line", "path", $"{kind.ToString().ToLowerInvariant()} '{name}' has no path option to set with --path; use --option KEY=VALUE.")]);
            values[pathOption.Name] = Path.GetFullPath(path);
        }
        foreach (var option in options)
        {
            int equals = option.IndexOf('=');
            if (equals <= 0) throw new ConfigurationException([new ConfigurationError("command line", "option", $"--option '{option}' is not of the form key=value.")]);
            values[option[..equals].Trim().Replace('.', ':')] = option[(equals + 1)..];
        }
        return new ComponentReference
        {
            Name = name,
            Options = new ConfigurationBuilder().AddInMemoryCollection(values).Build(),
            Path = kind.ToString().ToLowerInvariant(),
        };
    }

    /// <summary>Creates the component or throws a <see cref="ConfigurationException"/> listing why not.</summary>
    public static T Create<T>(RetainHost host, PluginKind kind, ComponentReference reference) where T : class
    {
        var errors = new List<ConfigurationError>();
        return host.Components.Create<T>(kind, reference, new StrictBinder(_ => "command line"), errors) ?? throw new ConfigurationException(errors);
    }
}
