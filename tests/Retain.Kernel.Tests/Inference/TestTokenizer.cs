using System.Text;
using System.Text.Json;
using Retain.Evaluation;

namespace Retain.Kernel.Tests.Inference;

/// <summary>
/// A test-only tokenizer over stories260K's vocabulary: greedy longest-match pieces after the Llama normalizer
/// ('▁' prefix, spaces → '▁'), byte fallback, and the matching decoder. Not the real BPE; deterministic and enough to
/// exercise text-level generation and scoring.
/// </summary>
internal sealed class TestTokenizer : ITextTokenizer
{
    private readonly string[] _pieces;
    private readonly Dictionary<string, int> _ids;
    private readonly int _longest;

    public TestTokenizer(string tokenizerJson)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(tokenizerJson));
        var vocab = doc.RootElement.GetProperty("model").GetProperty("vocab");
        _ids = vocab.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        _pieces = new string[_ids.Count];
        foreach (var (piece, id) in _ids) _pieces[id] = piece;
        _longest = _ids.Keys.Max(k => k.Length);
    }

    public int VocabularySize => _pieces.Length;
    public int? BosTokenId => 1;
    public IReadOnlyList<int> EosTokenIds => [2];

    public int[] Encode(string text, bool addSpecialTokens = false)
    {
        var ids = new List<int>();
        if (addSpecialTokens) ids.Add(1);
        if (text.Length == 0) return ids.ToArray();
        string s = "▁" + text.Replace(' ', '▁');
        int i = 0;
        while (i < s.Length)
        {
            int found = -1, length = 0;
            for (int l = Math.Min(_longest, s.Length - i); l >= 1; l--)
            {
                if (_ids.TryGetValue(s.Substring(i, l), out int id) && id > 258)
                {
                    found = id;
                    length = l;
                    break;
                }
            }
            if (found >= 0)
            {
                ids.Add(found);
                i += length;
                continue;
            }
            int width = char.IsSurrogatePair(s, i) ? 2 : 1;
            foreach (byte b in Encoding.UTF8.GetBytes(s.Substring(i, width))) ids.Add(3 + b);
            i += width;
        }
        return ids.ToArray();
    }

    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            if (id < 3)
            {
                if (!skipSpecialTokens) bytes.AddRange(Encoding.UTF8.GetBytes(_pieces[id]));
                continue;
            }
            if (id < 259) bytes.Add((byte)(id - 3));
            else bytes.AddRange(Encoding.UTF8.GetBytes(_pieces[id].Replace('▁', ' ')));
        }
        string text = Encoding.UTF8.GetString(bytes.ToArray()).Replace('▁', ' ');
        return text.StartsWith(' ') ? text[1..] : text;
    }
}
