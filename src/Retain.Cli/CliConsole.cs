using Retain.Data;
using Retain.Kernel;
using Retain.Kernel.Chat;
using Retain.Kernel.Tokenization;
using Retain.Hosting.Configuration;
using Retain.Hosting.Plugins;

namespace Retain.Cli;

/// <summary>Where a command writes, and the one place that turns failures into messages and exit codes.</summary>
public sealed class CliConsole(TextWriter output, TextWriter error)
{
    /// <summary>Standard output.</summary>
    public TextWriter Out { get; } = output;

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; } = error;

    /// <summary>Whether output goes to an interactive terminal (rich rendering) rather than a file or pipe.</summary>
    public bool IsTerminal => ReferenceEquals(Out, Console.Out) && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;

    /// <summary>
    /// Runs a command body: bad configuration exits 2, bad data or model files exit 1 with the message; never a
    /// stack trace unless RETAIN_DEBUG is set.
    /// </summary>
    public int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (ConfigurationException e)
        {
            Error.WriteLine("error: " + e.Message);
            return ExitCodes.Usage;
        }
        catch (UsageException e)
        {
            Error.WriteLine("error: " + e.Message);
            return ExitCodes.Usage;
        }
        catch (Exception e) when (IsUserFacing(e))
        {
            Error.WriteLine("error: " + e.Message);
            if (Environment.GetEnvironmentVariable("RETAIN_DEBUG") is not null) Error.WriteLine(e);
            return ExitCodes.Failed;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("RETAIN_DEBUG") is null)
        {
            Error.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message} (set RETAIN_DEBUG=1 for details)");
            return ExitCodes.Failed;
        }
    }

    /// <summary>Exceptions whose messages are written for users: bad data, model files, plugins, templates, files.</summary>
    private static bool IsUserFacing(Exception e) => e is DataException or PluginLoadException or ModelFormatException
        or TokenizerFormatException or ChatTemplateException or IOException or InvalidDataException or FormatException
        or UnauthorizedAccessException or NotSupportedException or ArgumentException or Kernel.Backends.Cuda.Interop.CudaException
        or Hosting.Execution.SlurmException;
}

/// <summary>Bad usage detected by a command after parsing (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
