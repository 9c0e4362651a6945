using System.Text.Json;

namespace Retain.Kernel.Formats;

/// <summary>Turns System.Text.Json's parse errors into the words of a file error: where (1-based) and why, without the parser's "LineNumber: 0 | BytePositionInLine" suffix.</summary>
public static class JsonErrors
{
    /// <summary>"invalid JSON at line L, column C: reason".</summary>
    public static string Describe(JsonException e)
    {
        string where = e.LineNumber is { } line ? $" at line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "";
        return $"invalid JSON{where}: {Reason(e)}";
    }

    /// <summary>The offset of the first byte that is not valid UTF-8, or -1 when all of <paramref name="bytes"/> is.</summary>
    public static long FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes)) return -1;
        int i = 0;
        while (i < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[i..], out _, out int consumed) != System.Buffers.OperationStatus.Done) return i;
            i += consumed;
        }
        return -1;
    }

    private static string Reason(JsonException e)
    {
        int cut = e.Message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? e.Message[..cut] : e.Message).Trim().TrimEnd('.');
    }
}
