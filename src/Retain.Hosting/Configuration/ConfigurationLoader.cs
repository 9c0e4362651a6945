using System.Collections;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Retain.Hosting.Configuration;

/// <summary>A configuration file with its overrides, ready to bind.</summary>
public sealed class LoadedConfiguration
{
    internal LoadedConfiguration(IConfigurationRoot root, string filePath, ConfigurationLayers layers)
    {
        Root = root;
        FilePath = filePath;
        Layers = layers;
        Binder = new StrictBinder(layers.SourceOf, layers.IsQuoted);
    }

    /// <summary>The merged configuration: the JSON file, then <c>RETAIN_*</c> environment overrides, then command-line overrides.</summary>
    public IConfigurationRoot Root { get; }

    /// <summary>The file's full path.</summary>
    public string FilePath { get; }

    /// <summary>The folder relative paths in the file are resolved against.</summary>
    public string BaseDirectory => Path.GetDirectoryName(FilePath)!;

    /// <summary>A binder whose errors name the source of each key.</summary>
    public StrictBinder Binder { get; }

    /// <summary>Where each key came from and how it was written.</summary>
    internal ConfigurationLayers Layers { get; }

    /// <summary>Whether <paramref name="key"/> was written as an empty list (<c>[]</c>), which differs from leaving it out.</summary>
    public bool IsEmptyList(string key) => Layers.EmptyLists.Contains(key);
}

/// <summary>Loads JSON configuration files with environment and command-line overrides.</summary>
public static class ConfigurationLoader
{
    /// <summary>Loads <paramref name="file"/>; JSON syntax errors become a <see cref="ConfigurationException"/> with line and column.</summary>
    /// <param name="file">The JSON file.</param>
    /// <param name="overrides">
    /// <c>key=value</c> pairs (<c>training:epochs=2</c> or <c>training.epochs=2</c>). An override replaces the whole
    /// value at its key: <c>learningRates=0.005</c> makes a one-element list, <c>learningRates=[0.005,0.01]</c> (JSON)
    /// a list, <c>learningRates:1=0.01</c> changes one element.
    /// </param>
    /// <param name="environment">Environment variables (default: the process's); <c>RETAIN_a__b=v</c> is the override <c>a:b=v</c>.</param>
    public static LoadedConfiguration Load(string file, IEnumerable<string>? overrides = null, IDictionary? environment = null)
    {
        var path = Path.GetFullPath(file);
        if (!File.Exists(path)) throw new ConfigurationException([new ConfigurationError(path, "", "file not found.")]);
        var document = ParseFile(path);

        IConfigurationRoot fromFile;
        try
        {
            fromFile = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException)
        {
            throw new ConfigurationException([new ConfigurationError(path, "", (e.InnerException ?? e).Message)]);
        }

        var layers = new ConfigurationLayers(path);
        layers.AddFile(fromFile, document);
        var errors = new List<ConfigurationError>();
        foreach (var (variable, key, value) in EnvironmentOverrides(environment ?? Environment.GetEnvironmentVariables()))
        {
            layers.Override(key, value, $"environment variable {variable}", errors);
        }
        foreach (var item in overrides ?? [])
        {
            var equals = item.IndexOf('=');
            if (equals <= 0)
            {
                errors.Add(new ConfigurationError("command line", "", $"--set '{item}' is not of the form key=value (e.g. --set training.epochs=2)."));
                continue;
            }
            var key = item[..equals].Trim().Replace('.', ':').Replace("[", ":").Replace("]", "");
            var value = item[(equals + 1)..];
            layers.Override(key, value, $"command line (--set {ConfigurationKeys.Display(key)}={value})", errors);
        }
        if (errors.Count > 0) throw new ConfigurationException(errors);

        var root = new ConfigurationBuilder().AddInMemoryCollection(layers.Values).Build();
        return new LoadedConfiguration(root, path, layers);
    }

    private static JsonDocument ParseFile(string path)
    {
        try
        {
            var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigurationException([new ConfigurationError(path, "", $"expected a JSON object at the top level, got {document.RootElement.ValueKind}.")]);
            }
            return document;
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "";
            throw new ConfigurationException([new ConfigurationError(path, "", $"invalid JSON{where}: {FirstSentence(e.Message)}")]);
        }
    }

    /// <summary>System.Text.Json appends " LineNumber: 0 | BytePositionInLine: 82." to its messages; the location is already given.</summary>
    internal static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).Trim();
    }

    private static IEnumerable<(string Variable, string Key, string Value)> EnvironmentOverrides(IDictionary environment)
    {
        var result = new List<(string, string, string)>();
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is not string name || entry.Value is not string value) continue;
            if (!name.StartsWith(RetainEnvironment.OverridePrefix, StringComparison.OrdinalIgnoreCase) || RetainEnvironment.Reserved.Contains(name)) continue;
            var key = name[RetainEnvironment.OverridePrefix.Length..].Replace("__", ":");
            if (key.Length > 0) result.Add((name, key, value));
        }
        // Parents before children, so RETAIN_seeds=[1,2] and RETAIN_seeds__0=3 compose the same way every time.
        return result.OrderBy(r => r.Item2.Count(c => c == ':')).ThenBy(r => r.Item2, StringComparer.OrdinalIgnoreCase);
    }
}
