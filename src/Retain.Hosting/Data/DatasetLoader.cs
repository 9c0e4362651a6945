using Microsoft.Extensions.Configuration;
using Retain.Data;
using Retain.Hosting.Configuration;
using Retain.Plugins;

namespace Retain.Hosting.Data;

/// <summary>Creates a dataset plugin from a reference and loads its splits with the host's data roots and extractors.</summary>
public static class DatasetLoader
{
    /// <summary>The load context: data roots and answer extractors from the plugins.</summary>
    public static DatasetLoadContext Context(RetainHost host, IDataLocator data, int seed)
        => new()
        {
            Data = data,
            Seed = seed,
            AnswerExtractors = name =>
            {
                var errors = new List<ConfigurationError>();
                return host.Components.Create<IAnswerExtractor>(PluginKind.AnswerExtractor, new ComponentReference { Name = name, Path = "evaluation.extractor" }, new StrictBinder(_ => "configuration"), errors)
                       ?? throw new DataException(string.Join(Environment.NewLine, errors.Select(e => e.Message)));
            },
        };

    /// <summary>
    /// A reference for a dataset named on the command line: <paramref name="path"/> sets the options' first
    /// <c>*Path</c> property (the dataset's main file) and each <c>key=value</c> sets an option.
    /// </summary>
    public static ComponentReference FromCommandLine(RetainHost host, string name, string? path, IEnumerable<string> options)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (path is not null)
        {
            var optionsType = host.Catalog.Find(PluginKind.Dataset, name)?.Descriptor.OptionsType;
            var pathOption = optionsType?.GetProperties().FirstOrDefault(p => p.PropertyType == typeof(string) && p.Name.EndsWith("Path", StringComparison.Ordinal) && p.CanWrite)
                ?? throw new ConfigurationException([new ConfigurationError("command line", "path", $"dataset '{name}' has no path option to set with --path; use --option KEY=VALUE.")]);
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
            Path = "dataset",
        };
    }
}
