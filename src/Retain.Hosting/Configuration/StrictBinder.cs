using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Retain.Hosting.Configuration;

/// <summary>
/// Binds configuration sections to option classes, strictly: an unknown key, a value that does not convert, or a
/// failed validation is an error naming the source and the key path, and every error is collected (never only the
/// first). Supports scalars, enums (case-insensitive, '-' and '_' ignored), nullable types, lists (a scalar binds as a
/// one-element list), string-keyed dictionaries, nested classes, <see cref="IConfigurationSection"/> (passed through
/// for plugin options) and <see cref="ComponentReference"/>. A number or boolean written as a JSON string
/// (<c>"1e-3"</c>) is refused: the configuration system keeps every value as text, so <paramref name="isQuoted"/> says
/// which values the file quoted (command-line and environment values are text by nature and are parsed).
/// </summary>
public sealed class StrictBinder(Func<string, string> sourceOf, Func<string, bool>? isQuoted = null)
{
    private readonly HashSet<string> _singleValueLists = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether the list at <paramref name="path"/> was bound from a single value (so it is shown as a one-element list).</summary>
    public bool IsSingleValueList(string path)
    {
        lock (_singleValueLists) return _singleValueLists.Contains(path);
    }

    /// <summary>Binds a new instance of <paramref name="type"/> from <paramref name="section"/>.</summary>
    public object Bind(IConfiguration section, string path, Type type, List<ConfigurationError> errors)
    {
        var instance = Activator.CreateInstance(type)
            ?? throw new InvalidOperationException($"{type.FullName} has no parameterless constructor.");
        BindInto(instance, section, path, errors);
        return instance;
    }

    /// <summary>Binds into an existing instance (its initialisers are the defaults).</summary>
    public void BindInto(object instance, IConfiguration section, string path, List<ConfigurationError> errors)
    {
        var type = instance.GetType();
        var properties = Settable(type);
        if (section is IConfigurationSection { Value: { Length: > 0 } scalar })
        {
            errors.Add(Error(path, $"expected an object with keys {KnownKeys(properties)}, got the value '{scalar}'."));
            return;
        }
        foreach (var child in section.GetChildren())
        {
            var childPath = ConfigurationKeys.Combine(path, child.Key);
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                var hint = Suggest(child.Key, properties.Select(p => ConfigurationKeys.JsonName(p.Name)));
                errors.Add(Error(childPath, $"unknown key '{child.Key}'.{hint} Known keys: {KnownKeys(properties)}."));
                continue;
            }
            if (TryConvert(child, childPath, property.PropertyType, property.GetValue(instance), errors, out var value))
            {
                property.SetValue(instance, value);
            }
        }
    }

    /// <summary>
    /// Validates an instance and its nested objects with DataAnnotations (<see cref="ValidationAttribute"/>s and
    /// <see cref="IValidatableObject"/>); errors are reported against <paramref name="path"/>.
    /// </summary>
    public void Validate(object instance, string path, List<ConfigurationError> errors)
    {
        // Property attributes and IValidatableObject both run: Validator.TryValidateObject would skip the latter
        // whenever a property fails, hiding errors.
        var results = new List<ValidationResult>();
        foreach (var property in Settable(instance.GetType()))
        {
            Validator.TryValidateProperty(property.GetValue(instance), new ValidationContext(instance) { MemberName = property.Name }, results);
        }
        if (instance is IValidatableObject validatable) results.AddRange(validatable.Validate(new ValidationContext(instance)));
        foreach (var result in results)
        {
            var members = result.MemberNames.ToList();
            var key = members.Count == 1 ? ConfigurationKeys.Combine(path, ConfigurationKeys.JsonName(members[0])) : path;
            errors.Add(Error(key, Reword(result.ErrorMessage, members)));
        }
        foreach (var property in Settable(instance.GetType()))
        {
            var value = property.GetValue(instance);
            var key = ConfigurationKeys.Combine(path, ConfigurationKeys.JsonName(property.Name));
            if (value is null || value is string || value is IConfiguration || property.PropertyType.IsValueType) continue;
            if (value is IEnumerable items and not IDictionary)
            {
                int i = 0;
                foreach (var item in items)
                {
                    if (item is not null && IsOptionsClass(item.GetType())) Validate(item, ConfigurationKeys.Combine(key, i.ToString(CultureInfo.InvariantCulture)), errors);
                    i++;
                }
            }
            else if (IsOptionsClass(value.GetType()))
            {
                Validate(value, key, errors);
            }
        }
    }

    /// <summary>DataAnnotations say "The field WarmupRatio must be ..."; the key is already named, so say "must be ...".</summary>
    private static string Reword(string? message, IReadOnlyList<string> members)
    {
        if (message is null) return "is invalid.";
        foreach (var member in members)
        {
            var prefix = $"The field {member} ";
            if (message.StartsWith(prefix, StringComparison.Ordinal)) return message[prefix.Length..];
            prefix = $"The {member} field ";
            if (message.StartsWith(prefix, StringComparison.Ordinal)) return message[prefix.Length..];
        }
        return message;
    }

    /// <summary>An error against a key, with the source that supplied it.</summary>
    public ConfigurationError Error(string path, string message) => new(sourceOf(path), path, message);

    private bool TryConvert(IConfigurationSection section, string path, Type type, object? current, List<ConfigurationError> errors, out object? value)
    {
        value = null;
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            if (string.IsNullOrEmpty(section.Value) && !section.GetChildren().Any()) return true;
            type = underlying;
        }

        if (type == typeof(IConfigurationSection) || type == typeof(IConfiguration))
        {
            value = section;
            return true;
        }
        if (type == typeof(ComponentReference))
        {
            return ComponentReference.TryBind(section, path, this, errors, out value);
        }
        if (IsScalar(type))
        {
            if (section.GetChildren().Any())
            {
                errors.Add(Error(path, $"expected {Describe(type)}, got an object or array."));
                return false;
            }
            if (section.Value is null)
            {
                if (type == typeof(string)) { value = null; return true; }
                value = current; // JSON null leaves the default
                return true;
            }
            return TryParseScalar(section.Value, type, path, errors, out value);
        }
        if (DictionaryValueType(type) is { } dictionaryValue)
        {
            var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), dictionaryValue))!;
            foreach (var child in section.GetChildren())
            {
                if (TryConvert(child, ConfigurationKeys.Combine(path, child.Key), dictionaryValue, null, errors, out var item)) dictionary[child.Key] = item;
            }
            value = dictionary;
            return true;
        }
        if (ListElementType(type) is { } element)
        {
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            var children = section.GetChildren().ToList();
            if (children.Count == 0 && section.Value is { Length: > 0 })
            {
                // A single value where a list is expected: a one-element list ("learningRates": 1e-5).
                lock (_singleValueLists) _singleValueLists.Add(path);
                if (TryConvert(section, path, element, null, errors, out var single)) list.Add(single);
            }
            else
            {
                foreach (var child in children.OrderBy(c => int.TryParse(c.Key, out var n) ? n : int.MaxValue))
                {
                    var childPath = ConfigurationKeys.Combine(path, child.Key);
                    if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    {
                        errors.Add(Error(childPath, $"expected a list, found the key '{child.Key}'."));
                        continue;
                    }
                    if (TryConvert(child, childPath, element, null, errors, out var item)) list.Add(item);
                }
            }
            value = type.IsArray ? ToArray(list, element) : list;
            return true;
        }
        if (IsOptionsClass(type))
        {
            // Classes with a static FromScalar(string) also accept a plain value ("methods": ["talr"]).
            if (section.Value is { Length: > 0 } text && !section.GetChildren().Any()
                && type.GetMethod("FromScalar", BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(string)]) is { } fromScalar)
            {
                value = fromScalar.Invoke(null, [text, path]);
                return true;
            }
            var instance = current ?? Activator.CreateInstance(type)!;
            BindInto(instance, section, path, errors);
            value = instance;
            return true;
        }
        errors.Add(Error(path, $"cannot bind type {type.Name}."));
        return false;
    }

    private bool TryParseScalar(string text, Type type, string path, List<ConfigurationError> errors, out object? value)
    {
        value = null;
        var invariant = CultureInfo.InvariantCulture;
        bool ok;
        if (type == typeof(string)) { value = text; return true; }
        if (type.IsEnum)
        {
            var normalized = Normalize(text);
            var match = Enum.GetNames(type).FirstOrDefault(n => Normalize(n) == normalized);
            if (match is not null) { value = Enum.Parse(type, match); return true; }
            errors.Add(Error(path, $"'{text}' is not one of: {string.Join(", ", Enum.GetNames(type).Select(Kebab))}."));
            return false;
        }
        if (type != typeof(TimeSpan) && isQuoted?.Invoke(path) == true)
        {
            errors.Add(Error(path, $"expected {Describe(type)}, got the string \"{text}\" (write it without quotes)."));
            return false;
        }
        if (type == typeof(bool)) { ok = bool.TryParse(text, out var b); value = b; }
        else if (type == typeof(int)) { ok = int.TryParse(text, NumberStyles.Integer, invariant, out var i); value = i; }
        else if (type == typeof(long)) { ok = long.TryParse(text, NumberStyles.Integer, invariant, out var l); value = l; }
        else if (type == typeof(double)) { ok = double.TryParse(text, NumberStyles.Float, invariant, out var d) && double.IsFinite(d); value = d; }
        else if (type == typeof(float)) { ok = float.TryParse(text, NumberStyles.Float, invariant, out var f) && float.IsFinite(f); value = f; }
        else if (type == typeof(decimal)) { ok = decimal.TryParse(text, NumberStyles.Float, invariant, out var m); value = m; }
        else if (type == typeof(TimeSpan)) { ok = TimeSpan.TryParse(text, invariant, out var t); value = t; }
        else { ok = false; }
        if (!ok) errors.Add(Error(path, $"expected {Describe(type)}, got '{text}'."));
        return ok;
    }

    private static string Normalize(string s) => s.Replace("-", "").Replace("_", "").ToLowerInvariant();

    /// <summary>Enum names as configurations spell them: <c>BatchMedian</c> → <c>batch-median</c>.</summary>
    public static string Kebab(string name)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) text.Append('-');
            text.Append(char.ToLowerInvariant(name[i]));
        }
        return text.ToString();
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(int) || type == typeof(long) => "an integer",
        _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number",
        _ when type == typeof(string) => "a string",
        _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type).Select(Kebab)),
        _ => type.Name,
    };

    private static bool IsScalar(Type type) => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan);

    internal static bool IsOptionsClass(Type type) => type.IsClass && !type.IsAbstract && type != typeof(string) && type.GetConstructor(Type.EmptyTypes) is not null && !typeof(IEnumerable).IsAssignableFrom(type);

    private static Type? ListElementType(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        if (!type.IsGenericType) return null;
        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(List<>) || definition == typeof(IList<>) || definition == typeof(IReadOnlyList<>)
               || definition == typeof(IEnumerable<>) || definition == typeof(ICollection<>) || definition == typeof(IReadOnlyCollection<>)
            ? type.GetGenericArguments()[0]
            : null;
    }

    private static Type? DictionaryValueType(Type type)
    {
        if (!type.IsGenericType) return null;
        var definition = type.GetGenericTypeDefinition();
        var args = type.GetGenericArguments();
        return (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>)) && args[0] == typeof(string)
            ? args[1]
            : null;
    }

    private static Array ToArray(IList list, Type element)
    {
        var array = Array.CreateInstance(element, list.Count);
        list.CopyTo(array, 0);
        return array;
    }

    internal static IReadOnlyList<PropertyInfo> Settable(Type type)
        => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic && p.GetIndexParameters().Length == 0)
            .ToList();

    private static string KnownKeys(IEnumerable<PropertyInfo> properties)
    {
        var names = properties.Select(p => ConfigurationKeys.JsonName(p.Name)).ToList();
        return names.Count == 0 ? "(none: this section takes no keys)" : string.Join(", ", names);
    }

    /// <summary>" Did you mean 'x'?" when a known key is within edit distance 2.</summary>
    public static string Suggest(string given, IEnumerable<string> known)
    {
        var best = known.Select(k => (Key: k, Distance: Levenshtein(given.ToLowerInvariant(), k.ToLowerInvariant())))
            .Where(k => k.Distance <= Math.Max(1, Math.Min(2, given.Length / 3)))
            .OrderBy(k => k.Distance).FirstOrDefault();
        return best.Key is null ? "" : $" Did you mean '{best.Key}'?";
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }
}
