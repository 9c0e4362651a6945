namespace Retain.Cli;

/// <summary>Process exit codes, the same for every verb.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;

    /// <summary>The job ran and failed (bad data or model files, a failed run, a failed check).</summary>
    public const int Failed = 1;

    /// <summary>Bad usage or an invalid configuration.</summary>
    public const int Usage = 2;
}
