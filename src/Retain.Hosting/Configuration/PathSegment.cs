namespace Retain.Hosting.Configuration;

/// <summary>
/// Names that become one folder or file name (the sweep name, method names): ASCII letters, digits and <c>- _ . +</c>,
/// starting with a letter or digit, at most <see cref="MaxLength"/> characters. So a name can neither leave the output
/// folder (<c>../x</c>), nor nest (<c>a/b</c>), nor hide (<c>.x</c>), nor differ only in characters a file system mangles.
/// </summary>
public static class PathSegment
{
    /// <summary>The longest name accepted.</summary>
    public const int MaxLength = 100;

    /// <summary>What is wrong with <paramref name="name"/> as a single path segment, or null when it is fine.</summary>
    public static string? Problem(string name)
    {
        if (name.Length == 0) return "is empty";
        if (name.Length > MaxLength) return $"is {name.Length} characters long (at most {MaxLength})";
        if (!char.IsAsciiLetterOrDigit(name[0])) return $"starts with '{name[0]}' (it must start with a letter or digit)";
        var bad = name.FirstOrDefault(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '+'));
        return bad == default ? null : $"contains {Describe(bad)}";
    }

    /// <summary>The rule, for messages.</summary>
    public const string Rule = "a name is one folder name: ASCII letters, digits, '-', '_', '.' and '+', starting with a letter or digit";

    private static string Describe(char c) => c switch
    {
        '/' or '\\' => $"'{c}' (a path separator)",
        ' ' => "a space",
        _ when char.IsControl(c) => $"the control character U+{(int)c:X4}",
        _ => $"'{c}'",
    };
}
