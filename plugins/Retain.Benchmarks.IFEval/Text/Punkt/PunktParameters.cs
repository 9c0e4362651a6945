using System.IO.Compression;
using System.Text;

namespace Retain.Benchmarks.IFEval.Text.Punkt;

/// <summary>
/// The parameters of nltk's trained English Punkt model (<c>tokenizers/punkt/english.pickle</c> of nltk_data, Kiss &amp;
/// Strunk 2006, trained by Jan Strunk on the Wall Street Journal; exported by tests/reference/ifeval/pack_punkt.py):
/// abbreviation types, collocations, frequent sentence starters and orthographic contexts. Embedded as Data/punkt-english.tsv.gz.
/// </summary>
internal sealed class PunktParameters
{
    /// <summary>Orthographic context flags (punkt.py's <c>_ORTHO_*</c>).</summary>
    public const int BegUc = 1 << 1, MidUc = 1 << 2, UnkUc = 1 << 3, BegLc = 1 << 4, MidLc = 1 << 5, UnkLc = 1 << 6;

    /// <summary>Occurs with upper case anywhere.</summary>
    public const int Uc = BegUc + MidUc + UnkUc;

    /// <summary>Occurs with lower case anywhere.</summary>
    public const int Lc = BegLc + MidLc + UnkLc;

    private static readonly Lazy<PunktParameters> English = new(Load);

    /// <summary>The English model.</summary>
    public static PunktParameters Instance => English.Value;

    public HashSet<string> AbbrevTypes { get; } = new(StringComparer.Ordinal);

    public HashSet<(string, string)> Collocations { get; } = [];

    public HashSet<string> SentStarters { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, int> OrthoContext { get; } = new(StringComparer.Ordinal);

    /// <summary>The flags of a type (0 when never seen, like the model's defaultdict).</summary>
    public int Ortho(string type) => OrthoContext.GetValueOrDefault(type);

    private static PunktParameters Load()
    {
        var p = new PunktParameters();
        const string name = "Retain.Benchmarks.IFEval.Data.punkt-english.tsv.gz";
        var stream = typeof(PunktParameters).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"ifeval: embedded resource {name} is missing.");
        using var reader = new StreamReader(new GZipStream(stream, CompressionMode.Decompress), Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            var f = line.Split('\t');
            switch (f[0])
            {
                case "A": p.AbbrevTypes.Add(f[1]); break;
                case "C": p.Collocations.Add((f[1], f[2])); break;
                case "S": p.SentStarters.Add(f[1]); break;
                case "O": p.OrthoContext[f[1]] = int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture); break;
            }
        }
        return p;
    }
}
