using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Retain.Kernel.Backends.Cpu.Gemm.Calibration;

/// <summary>
/// Calibrations cached on disk, one file per machine key (<c>gemm-calibration-&lt;hash&gt;.json</c> under the cache
/// folder, whose content repeats the key), and in memory for the process. A missing, unreadable or foreign file means a
/// new calibration, written back atomically; an unwritable folder only costs the next process a calibration. A
/// <see cref="GemmCalibration.Provisional"/> one (taken while other processes were busy) is written too, so that doctor
/// can show it, but the next process calibrates again instead of trusting it, until one is taken on a quiet machine.
/// </summary>
internal sealed class GemmCalibrationStore(string directory)
{
    private static readonly ConcurrentDictionary<string, GemmCalibration> Process = new();
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The default folder: <c>RETAIN_CACHE_DIR</c>, else <c>~/.cache/retain</c>.</summary>
    public static string DefaultDirectory => Environment.GetEnvironmentVariable("RETAIN_CACHE_DIR") is { Length: > 0 } dir
        ? Path.GetFullPath(dir)
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "retain");

    public string Directory { get; } = directory;

    /// <summary>The file that holds the calibration of <paramref name="machineKey"/>.</summary>
    public string PathOf(string machineKey)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(machineKey)))[..16];
        return Path.Combine(Directory, $"gemm-calibration-{hash}.json");
    }

    /// <summary>The cached calibration of <paramref name="machineKey"/>, or a new one from <paramref name="calibrate"/>.</summary>
    /// <param name="machineKey">What the calibration depends on.</param>
    /// <param name="calibrate">Runs a new calibration.</param>
    /// <param name="useProcessCache">Reuse what this process already calibrated or read.</param>
    /// <param name="refresh">Calibrate again whatever is cached, and replace the cache.</param>
    public GemmCalibration GetOrCalibrate(string machineKey, Func<GemmCalibration> calibrate, bool useProcessCache = true, bool refresh = false)
    {
        string path = PathOf(machineKey);
        if (!refresh && useProcessCache && Process.TryGetValue(path, out var known) && known.MachineKey == machineKey) return known;
        var calibration = refresh ? null : TryRead(path, machineKey);
        if (calibration is null)
        {
            calibration = calibrate();
            TryWrite(path, calibration);
        }
        if (useProcessCache) Process[path] = calibration;
        return calibration;
    }

    private static GemmCalibration? TryRead(string path, string machineKey)
    {
        try
        {
            if (!File.Exists(path)) return null;
            var calibration = JsonSerializer.Deserialize<GemmCalibration>(File.ReadAllText(path), Json);
            return calibration is not null && calibration.MachineKey == machineKey && calibration.Routes?.Count == GemmShapeClass.RouteCount
                && !calibration.Provisional
                ? calibration
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            return null;
        }
    }

    private static void TryWrite(string path, GemmCalibration calibration)
    {
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            string temporary = $"{path}.{Environment.ProcessId}.tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(calibration, Json));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The calibration still applies to this process.
        }
    }
}
