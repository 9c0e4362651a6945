using System.Text;

namespace Retain.Benchmarks.Code.Sandbox;

/// <summary>Reads a process's stdout and stderr with one byte budget; past it, calls the kill action once.</summary>
internal sealed class OutputCapture(int maxBytes, Action kill)
{
    private const int TailBytes = 2048;
    private readonly object _lock = new();
    private readonly MemoryStream _stdout = new();
    private readonly Queue<byte> _stderrTail = new();
    private long _total;

    /// <summary>Whether the budget was exceeded (the process was then killed).</summary>
    public bool Exceeded { get; private set; }

    /// <summary>The last bytes of stderr, decoded.</summary>
    public string StderrTail
    {
        get { lock (_lock) return Encoding.UTF8.GetString(_stderrTail.ToArray()); }
    }

    /// <summary>Copies a stream into the capture until EOF or the budget runs out.</summary>
    public async Task PumpAsync(Stream stream, bool isStdout)
    {
        var buffer = new byte[16384];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                bool killNow = false;
                lock (_lock)
                {
                    _total += read;
                    if (_total > maxBytes && !Exceeded)
                    {
                        Exceeded = true;
                        killNow = true;
                    }
                    if (!Exceeded)
                    {
                        if (isStdout) _stdout.Write(buffer, 0, read);
                        else
                        {
                            for (int i = 0; i < read; i++) _stderrTail.Enqueue(buffer[i]);
                            while (_stderrTail.Count > TailBytes) _stderrTail.Dequeue();
                        }
                    }
                }
                if (killNow) kill();
                if (Exceeded) break;
            }
        }
        catch (IOException)
        {
            // The pipe broke because the process was killed.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>The harness's outcome line for <paramref name="token"/>, or null.</summary>
    public string? FindOutcome(string token)
    {
        string text;
        lock (_lock) text = Encoding.UTF8.GetString(_stdout.ToArray());
        string marker = token + " ";
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(marker, StringComparison.Ordinal)) return line[marker.Length..].TrimEnd('\r');
        }
        return null;
    }
}
