using System.Text;
using System.Text.RegularExpressions;

namespace Retain.Benchmarks.IFEval.Text;

/// <summary>
/// A small deterministic language identifier standing in for langdetect (IFEval's <c>language:response_language</c>
/// and the English checks of <c>change_case:*</c>). It decides by script first, then within a script by distinctive
/// letters and the most frequent function words:
/// <list type="bullet">
/// <item>Scripts that name one language here: Hangul (ko), kana (ja), Han alone (zh-cn), Thai, Bengali, Gurmukhi
/// (pa), Gujarati, Tamil, Telugu, Kannada, Malayalam, Greek (el), Hebrew (he).</item>
/// <item>Arabic script: Urdu-only letters → ur, else Persian-only letters → fa, else ar.</item>
/// <item>Devanagari: function words of Hindi, Marathi and Nepali (hi on a tie).</item>
/// <item>Cyrillic: і/ї/є/ґ → uk; ы/э/ё → ru; else Bulgarian function words or frequent ъ → bg; else ru.</item>
/// <item>Latin: function-word hits for en, de, fr, es, it, pt, nl, sv, fi, vi, sw, tr, pl, id, weighted up by each
/// language's own diacritics; no evidence at all → en.</item>
/// </list>
/// Like langdetect, URLs and e-mail addresses are ignored, Latin letters are ignored when they are fewer than half
/// the other letters, and text without letters has no language (<see cref="Detect"/> returns null, which IFEval
/// counts as followed, as lm-eval does when langdetect raises). Unlike langdetect it is deterministic (lm-eval never
/// seeds langdetect), knows fewer languages (a response in an unlisted language is reported as the closest listed
/// one), and on very short or mixed-language text may disagree with it.
/// </summary>
public static partial class LanguageDetector
{
    private static readonly Dictionary<string, string[]> LatinWords = new()
    {
        ["en"] = ["the", "and", "of", "to", "is", "in", "that", "it", "for", "you", "with", "are", "this", "was", "on", "be", "have", "not", "as", "i", "a", "an", "or", "by", "your", "they", "we", "can", "will", "what"],
        ["de"] = ["der", "die", "das", "und", "ist", "nicht", "ich", "sie", "es", "ein", "eine", "zu", "den", "mit", "von", "auf", "für", "sich", "dem", "des", "auch", "wir", "du", "ist", "sind", "wie", "aber", "oder"],
        ["fr"] = ["le", "la", "les", "et", "est", "un", "une", "des", "du", "de", "je", "vous", "nous", "il", "elle", "que", "qui", "pas", "pour", "dans", "sur", "avec", "ce", "sont", "au", "mais"],
        ["es"] = ["el", "la", "los", "las", "y", "es", "un", "una", "que", "de", "en", "por", "para", "con", "no", "se", "del", "lo", "su", "como", "más", "pero", "está", "son", "muy"],
        ["it"] = ["il", "lo", "la", "gli", "le", "e", "è", "un", "una", "che", "di", "per", "non", "con", "sono", "del", "della", "si", "ma", "come", "anche", "questo", "nel", "alla", "più"],
        ["pt"] = ["o", "a", "os", "as", "e", "é", "um", "uma", "que", "de", "do", "da", "em", "para", "com", "não", "se", "por", "mais", "como", "mas", "são", "no", "na", "ao", "você"],
        ["nl"] = ["de", "het", "een", "en", "van", "is", "niet", "ik", "je", "dat", "die", "te", "op", "zijn", "met", "voor", "er", "maar", "ook", "wat", "aan", "hij", "we"],
        ["sv"] = ["och", "är", "att", "det", "som", "en", "ett", "jag", "på", "för", "med", "inte", "till", "av", "den", "har", "du", "vi", "om", "var", "men"],
        ["fi"] = ["ja", "on", "ei", "se", "että", "hän", "oli", "ovat", "mutta", "kun", "niin", "myös", "tai", "minä", "sinä", "me", "te", "he", "tämä", "kuin", "olla", "jos", "voi"],
        ["vi"] = ["và", "là", "của", "có", "không", "được", "cho", "một", "những", "các", "với", "người", "trong", "này", "đã", "để", "khi", "tôi", "bạn", "rất", "cũng", "như"],
        ["sw"] = ["na", "ya", "wa", "ni", "kwa", "za", "katika", "la", "kuwa", "hii", "hiyo", "au", "pia", "sana", "kama", "lakini", "yake", "wao", "mimi", "wewe", "hapa", "kwamba", "zaidi", "watu"],
        ["tr"] = ["ve", "bir", "bu", "da", "de", "için", "ile", "çok", "ne", "gibi", "daha", "olarak", "ben", "sen", "o", "var", "yok", "ama", "değil", "mi"],
        ["pl"] = ["i", "w", "na", "nie", "się", "z", "do", "to", "że", "jest", "o", "jak", "ale", "co", "po", "tak", "za", "od", "są", "jego", "ja"],
        ["id"] = ["dan", "yang", "di", "ini", "itu", "dengan", "untuk", "tidak", "dari", "dalam", "akan", "ada", "saya", "kami", "mereka", "juga", "atau", "karena", "bisa", "adalah"],
    };

    private static readonly Dictionary<string, string> LatinLetters = new()
    {
        ["de"] = "äöüß", ["fr"] = "èêëàâçœùûîï", ["es"] = "ñ¿¡áíóú", ["it"] = "àèìòù", ["pt"] = "ãõçâêô",
        ["sv"] = "åäö", ["fi"] = "äö", ["vi"] = "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ",
        ["tr"] = "ğşıİç", ["pl"] = "ąęłśźżńć", ["nl"] = "ĳ",
    };

    private static readonly Dictionary<string, string[]> DevanagariWords = new()
    {
        ["hi"] = ["है", "हैं", "और", "के", "की", "का", "में", "से", "को", "यह", "था", "नहीं", "लिए", "एक", "पर", "भी", "हम", "आप", "कि", "जो"],
        ["mr"] = ["आहे", "आणि", "आहेत", "हे", "या", "ला", "मध्ये", "नाही", "करून", "त्या", "होते", "आपण", "तुम्ही", "एक", "ही", "की", "पण", "असे", "केले", "त्याच्या"],
        ["ne"] = ["छ", "छन्", "र", "को", "मा", "हो", "गर्न", "लागि", "पनि", "भएको", "गरेको", "यो", "हुन्छ", "थियो", "तपाईं", "हामी", "गर्छ", "भन्ने", "साथै", "नेपाल"],
    };

    private static readonly string[] BulgarianWords = ["това", "са", "се", "съм", "като", "който", "която", "които", "във", "със", "но", "ще", "беше", "тя", "той"];

    /// <summary>An ISO 639-1 code (zh-cn for Chinese), or null when the text has no letters to judge by.</summary>
    public static string? Detect(string text)
    {
        text = UrlOrEmail().Replace(text, " ");
        var counts = new Dictionary<Script, int>();
        foreach (var rune in text.EnumerateRunes())
        {
            if (!Rune.IsLetter(rune) && !IsIndicMark(rune)) continue;
            var script = ScriptOf(rune.Value);
            counts[script] = counts.GetValueOrDefault(script) + 1;
        }
        counts.Remove(Script.Other);
        if (counts.Count == 0) return null;
        int latin = counts.GetValueOrDefault(Script.Latin);
        int nonLatin = counts.Where(p => p.Key != Script.Latin).Sum(p => p.Value);
        Script dominant;
        if (nonLatin > 0 && latin * 2 < nonLatin) dominant = counts.Where(p => p.Key != Script.Latin).MaxBy(p => p.Value).Key;
        else dominant = counts.MaxBy(p => p.Value).Key;
        string lower = text.ToLowerInvariant();
        return dominant switch
        {
            Script.Hangul => "ko",
            Script.Kana => "ja",
            Script.Han => counts.ContainsKey(Script.Kana) ? "ja" : "zh-cn",
            Script.Thai => "th",
            Script.Bengali => "bn",
            Script.Gurmukhi => "pa",
            Script.Gujarati => "gu",
            Script.Tamil => "ta",
            Script.Telugu => "te",
            Script.Kannada => "kn",
            Script.Malayalam => "ml",
            Script.Greek => "el",
            Script.Hebrew => "he",
            Script.Arabic => ArabicLanguage(text),
            Script.Devanagari => BestByWords(Words(text), DevanagariWords, "hi"),
            Script.Cyrillic => CyrillicLanguage(lower),
            _ => LatinLanguage(lower),
        };
    }

    private static string ArabicLanguage(string text)
    {
        if (text.Any(c => c is '\u0679' or '\u0688' or '\u0691' or '\u06BA' or '\u06D2' or '\u06BE' or '\u06C1')) return "ur";
        if (text.Any(c => c is '\u067E' or '\u0686' or '\u0698' or '\u06AF' or '\u06A9' or '\u06CC')) return "fa";
        return "ar";
    }

    private static string CyrillicLanguage(string lower)
    {
        if (lower.Any(c => c is 'і' or 'ї' or 'є' or 'ґ')) return "uk";
        if (lower.Any(c => c is 'ы' or 'э' or 'ё')) return "ru";
        var words = Words(lower);
        int bg = words.Count(w => BulgarianWords.Contains(w));
        int hardSigns = lower.Count(c => c == 'ъ');
        return bg > 0 || hardSigns * 50 > lower.Length ? "bg" : "ru";
    }

    private static string LatinLanguage(string lower)
    {
        var words = Words(lower);
        var scores = new Dictionary<string, double>();
        foreach (var (language, list) in LatinWords)
        {
            var set = new HashSet<string>(list);
            scores[language] = words.Count(set.Contains);
        }
        foreach (var (language, letters) in LatinLetters)
        {
            int hits = lower.Count(letters.Contains);
            scores[language] += hits * 0.5;
        }
        var best = scores.MaxBy(p => p.Value);
        return best.Value > 0 ? best.Key : "en";
    }

    private static string BestByWords(List<string> words, Dictionary<string, string[]> lists, string fallback)
    {
        string best = fallback;
        int bestHits = 0;
        foreach (var (language, list) in lists)
        {
            int hits = words.Count(list.Contains);
            if (hits > bestHits) { best = language; bestHits = hits; }
        }
        return best;
    }

    private static List<string> Words(string text) =>
        WordSplit().Split(text).Where(w => w.Length > 0).ToList();

    private static bool IsIndicMark(Rune rune) => rune.Value is >= 0x0900 and <= 0x0DFF && Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark;

    private enum Script { Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari, Bengali, Gurmukhi, Gujarati, Tamil, Telugu, Kannada, Malayalam, Thai, Hangul, Kana, Han, Other }

    private static Script ScriptOf(int c) => c switch
    {
        < 0x0250 => Script.Latin,
        >= 0x1E00 and <= 0x1EFF => Script.Latin,
        >= 0x0370 and <= 0x03FF => Script.Greek,
        >= 0x0400 and <= 0x052F => Script.Cyrillic,
        >= 0x0590 and <= 0x05FF => Script.Hebrew,
        >= 0x0600 and <= 0x06FF or >= 0x0750 and <= 0x077F or >= 0xFB50 and <= 0xFDFF or >= 0xFE70 and <= 0xFEFF => Script.Arabic,
        >= 0x0900 and <= 0x097F => Script.Devanagari,
        >= 0x0980 and <= 0x09FF => Script.Bengali,
        >= 0x0A00 and <= 0x0A7F => Script.Gurmukhi,
        >= 0x0A80 and <= 0x0AFF => Script.Gujarati,
        >= 0x0B80 and <= 0x0BFF => Script.Tamil,
        >= 0x0C00 and <= 0x0C7F => Script.Telugu,
        >= 0x0C80 and <= 0x0CFF => Script.Kannada,
        >= 0x0D00 and <= 0x0D7F => Script.Malayalam,
        >= 0x0E00 and <= 0x0E7F => Script.Thai,
        >= 0x1100 and <= 0x11FF or >= 0x3130 and <= 0x318F or >= 0xAC00 and <= 0xD7AF => Script.Hangul,
        >= 0x3040 and <= 0x30FF or >= 0x31F0 and <= 0x31FF => Script.Kana,
        >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0xF900 and <= 0xFAFF => Script.Han,
        _ => Script.Other,
    };

    [GeneratedRegex(@"https?://[-_.?&~;+=/#0-9A-Za-z]{1,2076}|[-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}[-_.0-9A-Za-z]{1,255}")]
    private static partial Regex UrlOrEmail();

    [GeneratedRegex(@"[\s\p{P}\p{S}\d]+")]
    private static partial Regex WordSplit();
}
