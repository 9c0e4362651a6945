using System.Buffers;
using System.Text;

namespace Retain.Datasets.Reading;

/// <summary>Where a text file is not valid UTF-8: the first bad byte of each affected physical line.</summary>
/// <param name="Line">1-based physical line (<c>\n</c>, <c>\r\n</c> and a lone <c>\r</c> end a line, as <see cref="CharStream"/> counts).</param>
/// <param name="Byte">1-based byte offset of the bad sequence within the line.</param>
/// <param name="Value">The first byte of the bad sequence.</param>
public readonly record struct InvalidUtf8(int Line, int Byte, byte Value)
{
    /// <summary>The reason a row containing it is rejected.</summary>
    public string Describe(int rowLine) => rowLine == Line
        ? $"invalid UTF-8 at byte {Byte} of the line (0x{Value:X2}); the file must be UTF-8"
        : $"invalid UTF-8 on line {Line} at byte {Byte} (0x{Value:X2}); the file must be UTF-8";

    /// <summary>
    /// Scans <paramref name="path"/> once, streaming. Decoders would silently turn such bytes into U+FFFD, so the
    /// readers look here first and reject the rows they fall in.
    /// </summary>
    public static IReadOnlyList<InvalidUtf8> Find(string path)
    {
        try
        {
            return Scan(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Retain.Data.DataException($"{path}: cannot open the file: {e.Message}", e);
        }
    }

    private static IReadOnlyList<InvalidUtf8> Scan(string path)
    {
        var found = new List<InvalidUtf8>();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int line = 1, column = 0, carried = 0, lastBadLine = 0;
            bool previousWasCr = false;
            while (true)
            {
                int read = stream.Read(buffer, carried, buffer.Length - carried);
                int length = carried + read;
                bool end = read == 0;
                if (length == 0) break;
                int i = 0;
                while (i < length)
                {
                    byte b = buffer[i];
                    if (b < 0x80)
                    {
                        if (b == '\n')
                        {
                            if (!previousWasCr) { line++; }
                            column = 0;
                            previousWasCr = false;
                        }
                        else if (b == '\r')
                        {
                            line++;
                            column = 0;
                            previousWasCr = true;
                        }
                        else
                        {
                            column++;
                            previousWasCr = false;
                        }
                        i++;
                        continue;
                    }
                    previousWasCr = false;
                    var status = Rune.DecodeFromUtf8(buffer.AsSpan(i, length - i), out _, out int consumed);
                    if (status == OperationStatus.NeedMoreData && !end) break; // the sequence continues in the next read
                    if (status != OperationStatus.Done && lastBadLine != line)
                    {
                        found.Add(new InvalidUtf8(line, column + 1, b));
                        lastBadLine = line;
                    }
                    consumed = Math.Max(consumed, 1);
                    column += consumed;
                    i += consumed;
                }
                carried = length - i;
                if (end) break;
                Array.Copy(buffer, i, buffer, 0, carried);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return found;
    }

    /// <summary>A cursor over <see cref="Find"/>'s result for readers that see rows in line order.</summary>
    public sealed class Cursor(IReadOnlyList<InvalidUtf8> found)
    {
        private int _next;

        /// <summary>Whether the file had no invalid byte at all.</summary>
        public bool None => found.Count == 0;

        /// <summary>The first invalid byte on lines <paramref name="first"/> to <paramref name="last"/>, or null; earlier entries are passed.</summary>
        public InvalidUtf8? Within(int first, int last)
        {
            while (_next < found.Count && found[_next].Line < first) _next++;
            return _next < found.Count && found[_next].Line <= last ? found[_next] : null;
        }
    }
}
