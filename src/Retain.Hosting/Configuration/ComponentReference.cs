using Microsoft.Extensions.Configuration;

namespace Retain.Hosting.Configuration;

/// <summary>
/// A plugin component named in a configuration, with its options section. Written either as a name
/// (<c>"talr"</c>) or as an object (<c>{ "name": "talr", "options": { "tau": 0.5 } }</c>).
/// </summary>
public sealed class ComponentReference
{
    /// <summary>The component's name.</summary>
    public string Name { get; init; } = "";

    /// <summary>The options section (may be empty).</summary>
    public IConfiguration Options { get; init; } = new ConfigurationBuilder().Build();

    /// <summary>The key path of this reference, for messages.</summary>
    public string Path { get; init; } = "";

    /// <summary>The key path of the options section.</summary>
    public string OptionsPath => ConfigurationKeys.Combine(Path, "options");

    /// <inheritdoc />
    public override string ToString() => Name;

    internal static bool TryBind(IConfigurationSection section, string path, StrictBinder binder, List<ConfigurationError> errors, out object? value)
    {
        value = null;
        if (section.Value is { Length: > 0 } name && !section.GetChildren().Any())
        {
            value = new ComponentReference { Name = name, Path = path };
            return true;
        }
        var ok = true;
        foreach (var child in section.GetChildren())
        {
            if (child.Key.Equals("name", StringComparison.OrdinalIgnoreCase) || child.Key.Equals("options", StringComparison.OrdinalIgnoreCase)) continue;
            errors.Add(binder.Error(ConfigurationKeys.Combine(path, child.Key),
                $"unknown key '{child.Key}'. A component is written as \"name\" or {{ \"name\": ..., \"options\": {{ ... }} }}; put its settings under 'options'."));
            ok = false;
        }
        var nameValue = section["name"];
        if (string.IsNullOrWhiteSpace(nameValue))
        {
            errors.Add(binder.Error(path, "missing 'name': a component is written as \"name\" or { \"name\": ..., \"options\": { ... } }."));
            return false;
        }
        var optionsSection = section.GetSection("options");
        if (optionsSection.Value is { Length: > 0 } scalar)
        {
            errors.Add(binder.Error(ConfigurationKeys.Combine(path, "options"), $"expected an object, got the value '{scalar}'."));
            return false;
        }
        value = new ComponentReference { Name = nameValue, Options = optionsSection, Path = path };
        return ok;
    }
}
