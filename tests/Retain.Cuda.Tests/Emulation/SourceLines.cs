using System.Globalization;
using System.Text.RegularExpressions;

namespace Retain.Cuda.Tests.Emulation;

/// <summary>
/// Makes the shared-memory checker's messages name source: "[pc 0x…]" (an offset in the emulator library, which has
/// debug lines) becomes "[at common.cuh:78]" through addr2line, and "[shared +N]" (a byte of the retain_shared
/// section) becomes the <c>__shared__</c> variable holding it, "retain_rmsnorm_forward::scratch byte 0", through nm.
/// Without binutils the raw offsets stay.
/// </summary>
internal static partial class SourceLines
{
    [GeneratedRegex(@"\[pc (0x[0-9a-f]+)\]")]
    private static partial Regex Pc();

    [GeneratedRegex(@"\[shared \+(\d+)\]")]
    private static partial Regex Shared();

    [GeneratedRegex(@"^([0-9a-f]+) ([0-9a-f]+) [a-zA-Z] (.+)$", RegexOptions.Multiline)]
    private static partial Regex SizedSymbol();

    [GeneratedRegex(@"^([0-9a-f]+) [a-zA-Z] __start_retain_shared$", RegexOptions.Multiline)]
    private static partial Regex SectionStart();

    public static string Resolve(string message, string library)
    {
        string folder = Path.GetDirectoryName(library)!;
        if (Pc().IsMatch(message) && KernelEmulator.FindOnPath("addr2line") is { } addr2line)
        {
            // With -i, addr2line prints an address's inline chain, innermost first.
            message = Pc().Replace(message, m =>
            {
                var (code, text) = KernelEmulator.Run(addr2line, folder, ["-e", library, "-i", m.Groups[1].Value]);
                var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(l => Regex.Replace(Path.GetFileName(l), @" \(discriminator \d+\)$", "")).ToArray();
                return code != 0 || lines.Length == 0 ? m.Value : "[at " + string.Join(" ← ", lines) + "]";
            });
        }
        if (Shared().IsMatch(message) && KernelEmulator.FindOnPath("nm") is { } nm)
        {
            var (code, symbols) = KernelEmulator.Run(nm, folder, ["-S", "-C", library]);
            if (code != 0 || SectionStart().Match(symbols) is not { Success: true } start) return message;
            ulong origin = ulong.Parse(start.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var variables = SizedSymbol().Matches(symbols)
                .Select(s => (Start: ulong.Parse(s.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    Size: ulong.Parse(s.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture), Name: s.Groups[3].Value.Trim()))
                .ToArray();
            message = Shared().Replace(message, m =>
            {
                ulong address = origin + ulong.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                var variable = variables.FirstOrDefault(v => address >= v.Start && address < v.Start + v.Size);
                return variable.Name is null ? m.Value : $"{variable.Name} byte {address - variable.Start}";
            });
        }
        return message;
    }
}
