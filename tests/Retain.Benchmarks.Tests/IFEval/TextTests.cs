using Retain.Benchmarks.IFEval.Text;

namespace Retain.Benchmarks.Tests.IFEval;

public class TextTests
{
    [Theory]
    [InlineData("Hello world. This is it.", 2)]
    [InlineData("Mr. Smith went to Washington. He stayed.", 2)]
    [InlineData("It costs 3.5 dollars. Really?! Yes.", 3)]
    [InlineData("He said \"stop.\" Then he left.", 2)]
    [InlineData("Wait... what happened? I don't know...", 2)]
    [InlineData("See e.g. the manual. Done.", 2)]
    [InlineData("   ", 0)]
    [InlineData("No final period", 1)]
    [InlineData("Line one\nline two", 1)]
    public void Sentence_counts_follow_punkt_rules(string text, int expected) => SentenceSplitter.Count(text).ShouldBe(expected);

    [Theory]
    [InlineData("Hello, world!", 2)]
    [InlineData("state-of-the-art", 4)]
    [InlineData("it's 3.14", 4)]
    [InlineData("snake_case", 1)]
    [InlineData("नमस्ते दुनिया", 5)] // Python's \w excludes the combining vowel signs, so Devanagari words split at them.
    public void Word_counts_use_python_word_characters(string text, int expected) => WordTokenizer.CountWords(text).ShouldBe(expected);

    [Fact]
    public void Word_tokens_split_punctuation_and_clitics()
    {
        WordTokenizer.Tokenize("\"DON'T stop,\" she said... (NOW)").ShouldBe(["\"", "DO", "N'T", "stop", ",", "\"", "she", "said", "...", "(", "NOW", ")"]);
    }

    [Theory]
    [InlineData("This is an English sentence about the weather and the city.", "en")]
    [InlineData("Der Hund läuft schnell über die Straße und ist nicht müde.", "de")]
    [InlineData("Questo è un breve testo in italiano per la prova, che non è difficile.", "it")]
    [InlineData("Este é um texto curto em português para o teste, que não é difícil.", "pt")]
    [InlineData("Tämä on lyhyt suomenkielinen teksti, ja se ei ole vaikea.", "fi")]
    [InlineData("Đây là một đoạn văn ngắn bằng tiếng Việt để kiểm tra.", "vi")]
    [InlineData("Hii ni sentensi fupi kwa Kiswahili na ni rahisi sana kwa watu.", "sw")]
    [InlineData("यह एक छोटा हिंदी वाक्य है और यह परीक्षण के लिए है।", "hi")]
    [InlineData("हे एक छोटे मराठी वाक्य आहे आणि ते चाचणीसाठी आहे.", "mr")]
    [InlineData("यो एउटा सानो नेपाली वाक्य हो र यो परीक्षणको लागि हो।", "ne")]
    [InlineData("এটি একটি ছোট বাংলা বাক্য।", "bn")]
    [InlineData("ਇਹ ਇੱਕ ਛੋਟਾ ਪੰਜਾਬੀ ਵਾਕ ਹੈ।", "pa")]
    [InlineData("આ એક નાનું ગુજરાતી વાક્ય છે.", "gu")]
    [InlineData("இது ஒரு சிறிய தமிழ் வாக்கியம்.", "ta")]
    [InlineData("ఇది ఒక చిన్న తెలుగు వాక్యం.", "te")]
    [InlineData("ಇದು ಒಂದು ಚಿಕ್ಕ ಕನ್ನಡ ವಾಕ್ಯ.", "kn")]
    [InlineData("นี่คือประโยคภาษาไทยสั้นๆ", "th")]
    [InlineData("이것은 짧은 한국어 문장입니다.", "ko")]
    [InlineData("هذه جملة عربية قصيرة للاختبار.", "ar")]
    [InlineData("این یک جمله کوتاه فارسی برای آزمایش است.", "fa")]
    [InlineData("یہ ایک مختصر اردو جملہ ہے۔", "ur")]
    [InlineData("Это короткое русское предложение для проверки.", "ru")]
    [InlineData("Това е кратко българско изречение за проверка.", "bg")]
    public void Language_detector_identifies_the_ifeval_languages(string text, string expected) => LanguageDetector.Detect(text).ShouldBe(expected);

    [Fact]
    public void Language_detector_has_no_answer_without_letters_and_ignores_urls()
    {
        LanguageDetector.Detect("123 456 !!! ---").ShouldBeNull();
        LanguageDetector.Detect("https://example.com/der/die/das").ShouldBeNull();
    }

    [Theory]
    [InlineData("{\"a\": [1, -2.5e-3, true, null, \"x\\u00e9\"]}", true)]
    [InlineData("[NaN, Infinity, -Infinity]", true)]
    [InlineData("  \"just a string\"  ", true)]
    [InlineData("{\"a\": 1,}", false)]
    [InlineData("{'a': 1}", false)]
    [InlineData("01", false)]
    [InlineData("1.", false)]
    [InlineData("{\"a\": 1} trailing", false)]
    [InlineData("", false)]
    public void Json_validation_matches_python_json_loads(string text, bool expected) => PythonJson.IsValid(text).ShouldBe(expected);
}
