using System.Text;
using Retain.Data;

namespace Retain.Benchmarks.MultipleChoice;

/// <summary>A minimal RFC 4180 reader: quoted fields, doubled quotes, newlines inside quotes.</summary>
internal static class Csv
{
    /// <summary>The rows of a CSV file with their 1-based starting line numbers.</summary>
    public static List<(int Line, List<string> Fields)> Read(string path)
    {
        string text = File.ReadAllText(path, new UTF8Encoding(false, true));
        var rows = new List<(int, List<string>)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, any = false;
        int line = 1, rowLine = 1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else quoted = false;
                }
                else
                {
                    if (c == '\n') line++;
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    any = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    any = true;
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    break;
                case '\n':
                    if (any || field.Length > 0) { fields.Add(field.ToString()); rows.Add((rowLine, fields)); }
                    fields = [];
                    field.Clear();
                    any = false;
                    line++;
                    rowLine = line;
                    break;
                default:
                    field.Append(c);
                    any = true;
                    break;
            }
        }
        if (quoted) throw new DataException($"{path}:{rowLine}: a quoted field is never closed.");
        if (any || field.Length > 0) { fields.Add(field.ToString()); rows.Add((rowLine, fields)); }
        return rows;
    }
}
