using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Retain.Datasets.Text;

/// <summary>
/// Writes flat JSON objects of strings byte-for-byte as Python's <c>json.dumps</c> does with its default separators
/// (<c>", "</c> and <c>": "</c>), keys in the given order: <c>\"</c>, <c>\\</c>, <c>\b \f \n \r \t</c> and
/// <c>\u00XX</c> for other control characters; with <c>asciiOnly</c> (Python's default <c>ensure_ascii=True</c>) every
/// character outside space..tilde becomes <c>\uXXXX</c> (UTF-16 code units, so astral characters become surrogate
/// pairs, as in Python).
/// </summary>
public static class PythonJson
{
    /// <summary>The object <c>{"k1": "v1", "k2": "v2"}</c>.</summary>
    public static string Dumps(IEnumerable<KeyValuePair<string, string>> fields, bool asciiOnly)
    {
        var text = new StringBuilder("{");
        bool first = true;
        foreach (var (key, value) in fields)
        {
            if (!first) text.Append(", ");
            first = false;
            AppendString(text, key, asciiOnly);
            text.Append(": ");
            AppendString(text, value, asciiOnly);
        }
        return text.Append('}').ToString();
    }

    /// <summary>
    /// Any JSON value as <c>json.dumps</c> writes it once Python has loaded it: objects and arrays with Python's
    /// separators, strings escaped as above, numbers as written in the source (Python's own <c>json.dump</c> output keeps
    /// its float repr, e.g. <c>40.0</c>), <c>true</c>, <c>false</c>, <c>null</c>.
    /// </summary>
    public static string Dumps(JsonElement value, bool asciiOnly)
    {
        var text = new StringBuilder();
        AppendValue(text, value, asciiOnly);
        return text.ToString();
    }

    /// <summary>A JSON string literal, quotes included.</summary>
    public static string Quote(string value, bool asciiOnly)
    {
        var text = new StringBuilder();
        AppendString(text, value, asciiOnly);
        return text.ToString();
    }

    private static void AppendValue(StringBuilder text, JsonElement value, bool asciiOnly)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                text.Append('{');
                bool firstProperty = true;
                foreach (var property in value.EnumerateObject())
                {
                    if (!firstProperty) text.Append(", ");
                    firstProperty = false;
                    AppendString(text, property.Name, asciiOnly);
                    text.Append(": ");
                    AppendValue(text, property.Value, asciiOnly);
                }
                text.Append('}');
                break;
            case JsonValueKind.Array:
                text.Append('[');
                bool firstItem = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!firstItem) text.Append(", ");
                    firstItem = false;
                    AppendValue(text, item, asciiOnly);
                }
                text.Append(']');
                break;
            case JsonValueKind.String:
                AppendString(text, value.GetString()!, asciiOnly);
                break;
            default:
                text.Append(value.GetRawText());
                break;
        }
    }

    private static void AppendString(StringBuilder text, string value, bool asciiOnly)
    {
        text.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                default:
                    if (c < ' ' || (asciiOnly && c > '~')) text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else text.Append(c);
                    break;
            }
        }
        text.Append('"');
    }
}
