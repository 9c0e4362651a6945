using System.Collections;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Retain.Hosting.Configuration;

/// <summary>A configuration file with its overrides, ready to bind.</summary>
public sealed class LoadedConfiguration
{
    internal LoadedConfiguration(IConfigurationRoot root, string filePath, Func<string, string> sourceOf)
    {
        Root = root;
        FilePath = filePath;
        Binder = new StrictBinder(sourceOf);
    }

    /// <summary>The merged configuration: the JSON file, then <c>RETAIN_*</c> environment overrides, then command-line overrides.</summary>
    public IConfigurationRoot Root { get; }

    /// <summary>The file's full path.</summary>
    public string FilePath { get; }

    /// <summary>The folder relative paths in the file are resolved against.</summary>
    public string BaseDirectory => Path.GetDirectoryName(FilePath)!;

    /// <summary>A binder whose errors name the source of each key.</summary>
    public StrictBinder Binder { get; }
}

/// <summary>Loads JSON configuration files with environment and command-line overrides.</summary>
public static class ConfigurationLoader
{
    /// <summary>Loads <paramref name="file"/>; JSON syntax errors become a <see cref="ConfigurationException"/> with line and column.</summary>
    /// <param name="file">The JSON file.</param>
    /// <param name="overrides"><c>key=value</c> pairs (<c>training:epochs=2</c> or <c>training.epochs=2</c>).</param>
    /// <param name="environment">Environment variables (default: the process's).</param>
    public static LoadedConfiguration Load(string file, IEnumerable<string>? overrides = null, IDictionary? environment = null)
    {
        var path = Path.GetFullPath(file);
        if (!File.Exists(path)) throw new ConfigurationException([new ConfigurationError(path, "", "file not found.")]);
        CheckJsonSyntax(path);

        var fromEnvironment = EnvironmentOverrides(environment ?? Environment.GetEnvironmentVariables());
        var errors = new List<ConfigurationError>();
        var fromCommandLine = CommandLineOverrides(overrides ?? [], errors);
        if (errors.Count > 0) throw new ConfigurationException(errors);

        IConfigurationRoot root;
        try
        {
            root = new ConfigurationBuilder()
                .AddJsonFile(path, optional: false, reloadOnChange: false)
                .AddInMemoryCollection(fromEnvironment.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value.Value)))
                .AddInMemoryCollection(fromCommandLine.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value)))
                .Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException)
        {
            throw new ConfigurationException([new ConfigurationError(path, "", (e.InnerException ?? e).Message)]);
        }

        string SourceOf(string key)
        {
            if (Covers(fromCommandLine.Keys, key) is { } c) return $"command line (--set {ConfigurationKeys.Display(c)}={fromCommandLine[c]})";
            if (Covers(fromEnvironment.Keys, key) is { } v) return $"environment variable {fromEnvironment[v].Variable}";
            return path;
        }
        return new LoadedConfiguration(root, path, SourceOf);
    }

    private static string? Covers(IEnumerable<string> keys, string key)
        => keys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase)
                                    || k.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase));

    private static void CheckJsonSyntax(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigurationException([new ConfigurationError(path, "", $"expected a JSON object at the top level, got {document.RootElement.ValueKind}.")]);
            }
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "";
            throw new ConfigurationException([new ConfigurationError(path, "", $"invalid JSON{where}: {FirstSentence(e.Message)}")]);
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).Trim();
    }

    private static Dictionary<string, (string Variable, string Value)> EnvironmentOverrides(IDictionary environment)
    {
        var result = new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is not string name || entry.Value is not string value) continue;
            if (!name.StartsWith(RetainEnvironment.OverridePrefix, StringComparison.OrdinalIgnoreCase) || RetainEnvironment.Reserved.Contains(name)) continue;
            var key = name[RetainEnvironment.OverridePrefix.Length..].Replace("__", ":");
            if (key.Length > 0) result[key] = (name, value);
        }
        return result;
    }

    private static Dictionary<string, string> CommandLineOverrides(IEnumerable<string> overrides, List<ConfigurationError> errors)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in overrides)
        {
            var equals = item.IndexOf('=');
            if (equals <= 0)
            {
                errors.Add(new ConfigurationError("command line", "", $"--set '{item}' is not of the form key=value (e.g. --set training.epochs=2)."));
                continue;
            }
            var key = item[..equals].Trim().Replace('.', ':').Replace("[", ":").Replace("]", "");
            result[key] = item[(equals + 1)..];
        }
        return result;
    }
}
