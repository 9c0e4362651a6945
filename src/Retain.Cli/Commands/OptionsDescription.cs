using System.ComponentModel;
using System.Reflection;
using Retain.Hosting.Configuration;

namespace Retain.Cli.Commands;

/// <summary>One option of a component: its key, type, default and description.</summary>
public sealed record OptionDescription(string Name, string Type, object? Default, string Description)
{
    /// <summary>The default as a configuration would spell it (<c>none</c> when there is none); not part of the JSON.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string DefaultText => Text(Default);

    private static string Text(object? value) => value switch
    {
        null => "none",
        string s => s.Length == 0 ? "\"\"" : s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        System.Collections.IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Text)) + "]",
        _ => value.ToString() ?? "",
    };
}

/// <summary>Describes an options class for listings: each key, its type, its default and its description.</summary>
public static class OptionsDescription
{
    /// <summary>The options of a component, or an empty list.</summary>
    public static IReadOnlyList<OptionDescription> Of(Type? optionsType)
    {
        if (optionsType is null) return [];
        var defaults = Activator.CreateInstance(optionsType);
        return optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic)
            .Select(p => new OptionDescription(
                ConfigurationKeys.JsonName(p.Name),
                TypeName(p.PropertyType),
                Format(p.GetValue(defaults)),
                p.GetCustomAttribute<DescriptionAttribute>()?.Description ?? ""))
            .ToList();
    }

    private static string TypeName(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner) return TypeName(inner) + "?";
        if (type.IsEnum) return string.Join("|", Enum.GetNames(type).Select(StrictBinder.Kebab));
        if (type.IsGenericType) return type.Name[..type.Name.IndexOf('`')] + "<" + string.Join(", ", type.GetGenericArguments().Select(TypeName)) + ">";
        return type.Name switch { "Double" => "number", "Single" => "number", "Int32" => "integer", "Int64" => "integer", "Boolean" => "bool", "String" => "string", _ => type.Name };
    }

    private static object? Format(object? value) => value switch
    {
        null => null,
        Enum e => StrictBinder.Kebab(e.ToString()),
        System.Collections.IEnumerable items and not string => items.Cast<object?>().Select(Format).ToList(),
        _ => value,
    };
}
