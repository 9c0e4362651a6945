using System.Text;

namespace Retain.Kernel.Tokenization;

/// <summary>
/// GPT-2's byte-to-character map (<c>bytes_char</c> in the Rust tokenizers library): bytes <c>!</c>..<c>~</c>,
/// 0xA1..0xAC and 0xAE..0xFF stand for themselves; the other 68 bytes, in increasing order, become U+0100 onwards
/// (space is <c>Ġ</c>, newline <c>Ċ</c>). Byte-level vocabularies are written in these characters.
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly int[] CharToByte = BuildCharToByte();

    /// <summary>The character that stands for <paramref name="b"/>.</summary>
    public static char ForByte(byte b) => ByteToChar[b];

    /// <summary>The byte a character stands for, or -1 when it is not in the alphabet.</summary>
    public static int ByteOf(char c) => c < CharToByte.Length ? CharToByte[c] : -1;

    /// <summary>Writes the alphabet form of the UTF-8 bytes of <paramref name="text"/> into <paramref name="buffer"/>
    /// (grown as needed) and returns the number of characters written.</summary>
    public static int Map(ReadOnlySpan<char> text, ref char[] buffer)
    {
        var byteCount = Encoding.UTF8.GetByteCount(text);
        if (buffer.Length < byteCount) buffer = new char[Math.Max(byteCount, buffer.Length * 2)];
        Span<byte> bytes = byteCount <= 512 ? stackalloc byte[byteCount] : new byte[byteCount];
        Encoding.UTF8.GetBytes(text, bytes);
        for (var i = 0; i < bytes.Length; i++) buffer[i] = ByteToChar[bytes[i]];
        return byteCount;
    }

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    private static int[] BuildCharToByte()
    {
        var inverse = new int[324];
        Array.Fill(inverse, -1);
        for (var b = 0; b < 256; b++) inverse[ByteToChar[b]] = b;
        return inverse;
    }
}
