using System.Globalization;
using System.Text;

namespace Retain.Hosting.Reports.Plotting;

/// <summary>A minimal SVG writer: elements with attributes, text escaped, numbers in invariant culture.</summary>
public sealed class Svg
{
    private readonly StringBuilder _body = new();

    /// <summary>Creates a drawing of the given size in pixels.</summary>
    public Svg(double width, double height)
    {
        Width = width;
        Height = height;
    }

    /// <summary>Width in pixels.</summary>
    public double Width { get; }

    /// <summary>Height in pixels.</summary>
    public double Height { get; }

    /// <summary>Adds an element; attribute values are escaped, numbers formatted invariantly.</summary>
    public Svg Element(string name, params (string Name, object? Value)[] attributes) => Element(name, null, attributes);

    /// <summary>Adds an element with text content.</summary>
    public Svg Element(string name, string? text, params (string Name, object? Value)[] attributes)
    {
        _body.Append('<').Append(name);
        foreach (var (key, value) in attributes)
        {
            if (value is null) continue;
            _body.Append(' ').Append(key).Append("=\"").Append(Escape(Format(value))).Append('"');
        }
        if (text is null) _body.Append("/>");
        else _body.Append('>').Append(Escape(text)).Append("</").Append(name).Append('>');
        _body.Append('\n');
        return this;
    }

    /// <summary>Opens a group.</summary>
    public Svg Open(string name, params (string Name, object? Value)[] attributes)
    {
        _body.Append('<').Append(name);
        foreach (var (key, value) in attributes)
        {
            if (value is not null) _body.Append(' ').Append(key).Append("=\"").Append(Escape(Format(value))).Append('"');
        }
        _body.Append(">\n");
        return this;
    }

    /// <summary>Closes a group.</summary>
    public Svg Close(string name)
    {
        _body.Append("</").Append(name).Append(">\n");
        return this;
    }

    /// <summary>The document.</summary>
    public override string ToString()
        => $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Format(Width)}\" height=\"{Format(Height)}\" viewBox=\"0 0 {Format(Width)} {Format(Height)}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
           + _body + "</svg>\n";

    /// <summary>Numbers with at most 2 decimals, invariant.</summary>
    public static string Format(object value) => value switch
    {
        double d => Math.Round(d, 2).ToString(CultureInfo.InvariantCulture),
        float f => Math.Round(f, 2).ToString(CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>XML escaping.</summary>
    public static string Escape(string text) => text
        .Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
}
