namespace Retain.Hosting.Configuration;

/// <summary>One problem in a configuration: where it comes from, the key path and what was expected.</summary>
/// <param name="Source">The file (or environment variable / command-line argument) that supplied the key.</param>
/// <param name="Key">The key path in configuration form (<c>methods:0:strategies:1:options:tau</c>); empty for the whole file.</param>
/// <param name="Message">What is wrong and what was expected.</param>
public sealed record ConfigurationError(string Source, string Key, string Message)
{
    /// <summary>The key path as JSON readers write it: <c>methods[0].strategies[1].options.tau</c>.</summary>
    public string DisplayKey => ConfigurationKeys.Display(Key);

    /// <inheritdoc />
    public override string ToString() => Key.Length == 0 ? $"{Source}: {Message}" : $"{Source}: {DisplayKey}: {Message}";
}

/// <summary>A configuration with one or more errors; <see cref="Exception.Message"/> lists them all.</summary>
public sealed class ConfigurationException(IReadOnlyList<ConfigurationError> errors)
    : Exception(Format(errors))
{
    /// <summary>Every error found.</summary>
    public IReadOnlyList<ConfigurationError> Errors { get; } = errors;

    private static string Format(IReadOnlyList<ConfigurationError> errors)
        => errors.Count == 1
            ? errors[0].ToString()
            : $"{errors.Count} configuration errors:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}

/// <summary>Key-path helpers.</summary>
public static class ConfigurationKeys
{
    /// <summary><c>a:0:b</c> → <c>a[0].b</c>.</summary>
    public static string Display(string key)
    {
        if (key.Length == 0) return "";
        var parts = key.Split(':');
        var text = new System.Text.StringBuilder();
        foreach (var part in parts)
        {
            if (part.Length > 0 && part.All(char.IsAsciiDigit)) text.Append('[').Append(part).Append(']');
            else
            {
                if (text.Length > 0) text.Append('.');
                text.Append(part);
            }
        }
        return text.ToString();
    }

    /// <summary>Joins a parent path and a child key.</summary>
    public static string Combine(string parent, string child) => parent.Length == 0 ? child : parent + ":" + child;

    /// <summary>The JSON spelling of a property name (camelCase).</summary>
    public static string JsonName(string propertyName) => propertyName.Length == 0 ? propertyName : char.ToLowerInvariant(propertyName[0]) + propertyName[1..];
}
