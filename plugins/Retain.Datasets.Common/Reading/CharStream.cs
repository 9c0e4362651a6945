namespace Retain.Datasets.Reading;

/// <summary>
/// A forward-only character source over a <see cref="TextReader"/> with one character of look-ahead and physical
/// line counting (<c>\n</c>, <c>\r\n</c> and a lone <c>\r</c> each end one line), for parsers that report lines.
/// </summary>
internal sealed class CharStream(TextReader reader)
{
    private readonly char[] _buffer = new char[1 << 16];
    private int _length;
    private int _position;
    private bool _previousWasCarriageReturn;

    /// <summary>The 1-based physical line of the next character.</summary>
    public int Line { get; private set; } = 1;

    /// <summary>The next character without consuming it, or -1 at the end.</summary>
    public int Peek()
    {
        if (_position < _length) return _buffer[_position];
        if (!Fill()) return -1;
        return _buffer[_position];
    }

    /// <summary>Consumes and returns the next character, or -1 at the end.</summary>
    public int Read()
    {
        if (_position >= _length && !Fill()) return -1;
        char c = _buffer[_position++];
        if (c == '\n')
        {
            if (!_previousWasCarriageReturn) Line++;
            _previousWasCarriageReturn = false;
        }
        else if (c == '\r')
        {
            Line++;
            _previousWasCarriageReturn = true;
        }
        else
        {
            _previousWasCarriageReturn = false;
        }
        return c;
    }

    private bool Fill()
    {
        _length = reader.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _length > 0;
    }
}
