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
}
