using System.Text;
using System.Text.RegularExpressions;

namespace Retain.Benchmarks.IFEval.Text.Langdetect;

/// <summary>
/// langdetect's <c>NGram</c>: character normalisation (by Unicode block, as its <c>unicode_block</c> table defines the
/// blocks), the Vietnamese combining-mark normalisation, and the rolling buffer of the last 3 characters. Characters
/// are Unicode code points, as Python's <c>str</c> has them.
/// </summary>
internal sealed class NGram
{
    /// <summary>Longest n-gram.</summary>
    public const int N = 3;

    private static readonly Lazy<Tables> Shared = new(() => new Tables(LangdetectData.Instance.Messages));
    private readonly List<int> _grams = [' '];

    /// <summary>The buffer ends inside a word of two or more upper-case letters (its n-grams are skipped).</summary>
    public bool CapitalWord { get; private set; }

    /// <summary>The buffer, oldest first.</summary>
    public IReadOnlyList<int> Grams => _grams;

    /// <summary><c>add_char</c>.</summary>
    public void Add(int ch)
    {
        ch = Normalize(ch);
        int last = _grams[^1];
        if (last == ' ')
        {
            _grams.Clear();
            _grams.Add(' ');
            CapitalWord = false;
            if (ch == ' ') return;
        }
        else if (_grams.Count >= N)
        {
            _grams.RemoveAt(0);
        }
        _grams.Add(ch);
        if (PythonText.IsUpper(ch))
        {
            if (PythonText.IsUpper(last)) CapitalWord = true;
        }
        else
        {
            CapitalWord = false;
        }
    }

    /// <summary><c>NGram.normalize</c> for one code point.</summary>
    public static int Normalize(int ch)
    {
        var t = Shared.Value;
        if (ch <= 0x7F)
        {
            return ch < 'A' || (ch > 'Z' && ch < 'a') || ch > 'z' ? ' ' : ch;
        }
        if (ch <= 0xFF) return t.Latin1Excluded.Contains((char)ch) ? ' ' : ch;
        if (ch is >= 0x0180 and <= 0x024F)
        {
            // Romanian: comma below → cedilla.
            return ch switch { 0x0219 => 0x015F, 0x021B => 0x0163, _ => ch };
        }
        if (ch is >= 0x2000 and <= 0x206F) return ' ';
        if (ch is >= 0x0600 and <= 0x06FF) return ch == 0x06CC ? 0x064A : ch; // Farsi yeh → Arabic yeh
        if (ch is >= 0x1E00 and <= 0x1EFF) return ch >= 0x1EA0 ? 0x1EC3 : ch;
        if (ch is >= 0x3040 and <= 0x309F) return 0x3042;
        if (ch is >= 0x30A0 and <= 0x30FF) return 0x30A2;
        if (ch is (>= 0x3100 and <= 0x312F) or (>= 0x31A0 and <= 0x31BF)) return 0x3105;
        if (ch is >= 0x4E00 and <= 0x9FFF) return t.Kanji.TryGetValue((char)ch, out char representative) ? representative : ch;
        if (ch is >= 0xAC00 and <= 0xD7AF) return 0xAC00;
        return ch;
    }

    /// <summary><c>NGram.normalize_vi</c>: a base letter followed by a combining mark becomes the precomposed letter.</summary>
    public static string NormalizeVi(string text)
    {
        var t = Shared.Value;
        return t.LetterWithMark.Replace(text, m =>
        {
            int letter = t.ToNormalize.IndexOf(m.Groups[1].Value[0]);
            int mark = t.MarkClass.IndexOf(m.Groups[2].Value[0]);
            return t.Normalized[mark][letter].ToString();
        });
    }

    private sealed class Tables
    {
        public Tables(IReadOnlyDictionary<string, string> messages)
        {
            Latin1Excluded = messages["NGram.LATIN1_EXCLUDE"];
            ToNormalize = messages["TO_NORMALIZE_VI_CHARS"];
            MarkClass = messages["DMARK_CLASS"];
            Normalized = new[] { "0300", "0301", "0303", "0309", "0323" }.Select(k => messages["NORMALIZED_VI_CHARS_" + k]).ToArray();
            LetterWithMark = new Regex("([" + ToNormalize + "])([" + MarkClass + "])", RegexOptions.CultureInvariant);
            // CJK_CLASS in ngram.py's order; a later class overrides an earlier one for a character in both, as there.
            foreach (var key in messages.Keys.Where(k => k.StartsWith("NGram.KANJI_", StringComparison.Ordinal)).OrderBy(KanjiOrder))
            {
                string members = messages[key];
                foreach (char c in members) Kanji[c] = members[0];
            }
        }

        public string Latin1Excluded { get; }
        public string ToNormalize { get; }
        public string MarkClass { get; }
        public string[] Normalized { get; }
        public Regex LetterWithMark { get; }
        public Dictionary<char, char> Kanji { get; } = [];

        private static (int, int) KanjiOrder(string key)
        {
            var parts = key["NGram.KANJI_".Length..].Split('_');
            return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
