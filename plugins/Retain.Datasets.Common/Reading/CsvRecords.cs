using System.Text;

namespace Retain.Datasets.Reading;

/// <summary>One CSV record: the physical line it starts on, its fields, or why it is malformed.</summary>
/// <param name="Line">1-based physical line where the record starts.</param>
/// <param name="Fields">The unquoted field values; empty when <paramref name="Error"/> is set.</param>
/// <param name="Error">Why the record could not be parsed, or null.</param>
public sealed record CsvRecord(int Line, IReadOnlyList<string> Fields, string? Error);

/// <summary>
/// An RFC 4180 CSV parser: comma-separated, fields optionally enclosed in double quotes, a doubled quote inside a
/// quoted field stands for one quote, quoted fields may span lines (their line breaks are kept verbatim), records end at
/// <c>\r\n</c>, <c>\n</c> or <c>\r</c>. Blank lines are skipped. Malformed records (a quote inside an unquoted field,
/// text after a closing quote) are returned with <see cref="CsvRecord.Error"/> set and parsing resumes on the next
/// line; an unterminated quoted field ends the file with an error naming the line it started on.
/// </summary>
public static class CsvRecords
{
    /// <summary>Parses every record of <paramref name="reader"/>, the header included.</summary>
    public static IEnumerable<CsvRecord> Parse(TextReader reader)
    {
        var input = new CharStream(reader);
        var fields = new List<string>();
        var field = new StringBuilder();
        while (input.Peek() >= 0)
        {
            int line = input.Line;
            if (IsLineBreak(input.Peek()))
            {
                ConsumeLineBreak(input);
                continue; // blank line
            }

            fields.Clear();
            string? error = null;
            bool endOfFile = false;
            while (true)
            {
                field.Clear();
                if (input.Peek() == '"')
                {
                    input.Read();
                    if (!ReadQuoted(input, field))
                    {
                        yield return new CsvRecord(line, [], $"a quoted field starting on line {line} is never closed (missing '\"')");
                        yield break;
                    }
                    int next = input.Peek();
                    if (next >= 0 && next != ',' && !IsLineBreak(next))
                    {
                        error = $"text follows a closing quote on line {input.Line} (a quote inside a quoted field must be doubled: \"\")";
                    }
                }
                else
                {
                    while (input.Peek() is int c && c >= 0 && c != ',' && !IsLineBreak(c))
                    {
                        if (c == '"')
                        {
                            error = $"a quote appears inside an unquoted field on line {input.Line} (quote the whole field and double the quote)";
                            break;
                        }
                        field.Append((char)input.Read());
                    }
                }
                if (error is not null)
                {
                    SkipRestOfLine(input);
                    break;
                }
                fields.Add(field.ToString());
                int after = input.Read();
                if (after == ',') continue;
                if (after < 0) endOfFile = true;
                else if (after == '\r' && input.Peek() == '\n') input.Read();
                break;
            }

            yield return error is null ? new CsvRecord(line, fields.ToArray(), null) : new CsvRecord(line, [], error);
            if (endOfFile) yield break;
        }
    }

    /// <summary>Reads a quoted field's content after its opening quote; false at an end of file before the closing quote.</summary>
    private static bool ReadQuoted(CharStream input, StringBuilder field)
    {
        while (true)
        {
            int c = input.Read();
            if (c < 0) return false;
            if (c == '"')
            {
                if (input.Peek() != '"') return true;
                input.Read();
            }
            field.Append((char)c);
        }
    }

    private static bool IsLineBreak(int c) => c is '\n' or '\r';

    private static void ConsumeLineBreak(CharStream input)
    {
        if (input.Read() == '\r' && input.Peek() == '\n') input.Read();
    }

    private static void SkipRestOfLine(CharStream input)
    {
        while (input.Peek() is int c && c >= 0 && !IsLineBreak(c)) input.Read();
        if (input.Peek() >= 0) ConsumeLineBreak(input);
    }
}
