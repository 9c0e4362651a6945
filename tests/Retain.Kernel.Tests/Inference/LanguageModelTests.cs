using System.Text.Json;
using Retain.Data;
using Retain.Evaluation;
using Retain.Kernel.Inference;
using Retain.Kernel.Models;
using Retain.Kernel.Tests.Training;
using Retain.Testing;

namespace Retain.Kernel.Tests.Inference;

public sealed class LanguageModelTests
{
    private static int[] GoldenIds()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile("models", "stories260K", "golden_greedy.json")));
        return doc.RootElement.GetProperty("cases")[0].GetProperty("all_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
    }

    private static KernelLanguageModel Load(Retain.Kernel.Backends.IBackend backend, Func<IReadOnlyList<ChatMessage>, bool, string>? chat = null) =>
        KernelLanguageModel.Load(TrainingTestData.Stories, backend, new TestTokenizer(TestPaths.SharedFile("models", "stories260K", "tokenizer.json")), chat);

    [Fact]
    public void Greedy_text_generation_reproduces_the_golden_story_and_honours_stop_strings()
    {
        using var backend = TrainingTestData.Backend();
        var lm = Load(backend);
        lm.Name.ShouldBe("stories260K");
        lm.Id.Length.ShouldBe(64);
        lm.EndIds.ShouldBe([2]);
        var golden = GoldenIds();
        string expected = lm.Tokenizer.Decode(golden.AsSpan(1), skipSpecialTokens: true);
        var texts = lm.Generate([new GenerationRequest("", GenerationSettings.Greedy(200))]);
        texts[0].ShouldBe(expected);

        int second = expected.IndexOf('.', expected.IndexOf('.') + 1);
        string stop = expected.Substring(second - 3, 4);
        var stopped = lm.Generate([new GenerationRequest("", GenerationSettings.Greedy(200, stop)), new GenerationRequest("", GenerationSettings.Greedy(5))]);
        stopped[0].ShouldBe(expected[..expected.IndexOf(stop, StringComparison.Ordinal)]);
        stopped[1].ShouldBe(lm.Tokenizer.Decode(golden.AsSpan(1, 5), skipSpecialTokens: true));
    }

    [Fact]
    public void With_the_real_tokenizer_the_greedy_story_decodes_to_the_golden_text()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile("models", "stories260K", "golden_greedy.json")));
        string golden = doc.RootElement.GetProperty("cases")[0].GetProperty("text").GetString()!;
        using var backend = TrainingTestData.Backend();
        var tokenizer = Retain.Kernel.Tokenization.Tokenizer.Load(TrainingTestData.Stories);
        var lm = KernelLanguageModel.Load(TrainingTestData.Stories, backend, tokenizer, null);
        lm.Generate([new GenerationRequest("", GenerationSettings.Greedy(200))])[0].ShouldBe(golden);
        // lm-eval encoding with the real BPE: the continuation is the whole string's tail after the context's tokens.
        var (context, continuation) = lm.EncodePair("Once upon a time,", " there was a little girl", addSpecialTokens: false);
        context.Concat(continuation).ShouldBe(tokenizer.Encode("Once upon a time, there was a little girl"));
        var result = lm.Loglikelihood([new LoglikelihoodRequest("Once upon a time,", " there was a little girl")])[0];
        result.IsGreedy.ShouldBeTrue("the golden story continues this way");
    }

    [Fact]
    public void Sampling_is_seeded_and_top_p_near_zero_is_greedy()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Stories, backend);
        var generator = new Generator(model, maxBatch: 3);
        GenerationInput Input(double t, double p, int seed) => new([1], 40, new SamplingOptions(t, p, seed), [2]);
        var outputs = generator.Generate([Input(1, 1, 7), Input(1, 1, 7), Input(1, 1, 8), Input(1, 1e-9, 3), Input(0, 1, 0)]);
        outputs[0].Tokens.ShouldBe(outputs[1].Tokens);
        outputs[2].Tokens.ShouldNotBe(outputs[0].Tokens);
        outputs[3].Tokens.ShouldBe(outputs[4].Tokens);
        outputs[4].Tokens.ShouldBe(GoldenIds().Skip(1).Take(40).ToArray());
        // Batching does not change a seeded sample.
        new Generator(model, maxBatch: 1).Generate([Input(1, 1, 7)])[0].Tokens.ShouldBe(outputs[0].Tokens);
    }

    [Fact]
    public void Repetition_penalty_follows_the_hugging_face_rule()
    {
        var sampler = new Sampler(new SamplingOptions(RepetitionPenalty: 2));
        float[] logits = [4f, -1f, 3f, 0.5f];
        sampler.Penalize(logits, new HashSet<int> { 0, 1 });
        logits.ShouldBe([2f, -2f, 3f, 0.5f]);
        sampler.Next(logits).ShouldBe(2);
    }

    [Fact]
    public void Token_log_probs_and_continuation_scores_agree_and_flag_greedy_continuations()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Stories, backend);
        var scorer = new Scorer(model, tokensPerBatch: 64);
        var golden = GoldenIds();
        var sequence = golden[..40];
        var logProbs = scorer.TokenLogProbs([sequence, golden[..7]]);
        float.IsNaN(logProbs[0][0]).ShouldBeTrue();
        logProbs[0].Length.ShouldBe(40);

        string json = Scorer.FormatJson(golden[..3], logProbs[0].AsSpan(0, 3));
        json.ShouldStartWith("{\"ids\": [1, 403, 407], \"logprobs\": [null, ");
        using (var parsed = JsonDocument.Parse(json))
        {
            parsed.RootElement.GetProperty("logprobs")[2].GetSingle().ShouldBe(logProbs[0][2]);
        }

        var perturbed = golden[25..40].ToArray();
        perturbed[3] = perturbed[3] == 300 ? 301 : 300;
        var scores = scorer.Continuations([(golden[..25], golden[25..40]), (golden[..25], perturbed), (golden[..1], golden[1..7])]);
        scores[0].IsGreedy.ShouldBeTrue();
        scores[0].TokenCount.ShouldBe(15);
        scores[0].LogLikelihood.ShouldBe(logProbs[0].Skip(25).Sum(v => (double)v), 1e-4);
        scores[1].IsGreedy.ShouldBeFalse();
        scores[1].LogLikelihood.ShouldBeLessThan(scores[0].LogLikelihood);
        scores[2].LogLikelihood.ShouldBe(logProbs[1].Skip(1).Sum(v => (double)v), 1e-4);
    }

    [Fact]
    public void Loglikelihood_follows_lm_eval_request_encoding()
    {
        using var backend = TrainingTestData.Backend();
        var lm = Load(backend);
        var tok = lm.Tokenizer;

        var (context, continuation) = lm.EncodePair("Once upon a time ", "there was", addSpecialTokens: false);
        context.ShouldBe(tok.Encode("Once upon a time"));
        var whole = tok.Encode("Once upon a time there was");
        continuation.ShouldBe(whole[context.Length..]);

        var (emptyContext, alone) = lm.EncodePair("", "Lily", addSpecialTokens: false);
        emptyContext.ShouldBe([1]);
        alone.ShouldBe(tok.Encode("Lily"));

        var results = lm.Loglikelihood([new LoglikelihoodRequest("Once upon a time ", "there was"), new LoglikelihoodRequest("", "Lily")]);
        var scorer = new Scorer(lm.Model);
        var expected = scorer.Continuations([(context, continuation), (emptyContext, alone)]);
        results[0].LogLikelihood.ShouldBe(expected[0].LogLikelihood, 1e-9);
        results[0].TokenCount.ShouldBe(continuation.Length);
        results[1].LogLikelihood.ShouldBe(expected[1].LogLikelihood, 1e-9);
        results[0].LogLikelihood.ShouldBeLessThan(0);
    }

    [Fact]
    public void Chat_formatting_goes_through_the_given_formatter()
    {
        using var backend = TrainingTestData.Backend();
        var plain = Load(backend);
        plain.HasChatTemplate.ShouldBeFalse();
        Should.Throw<InvalidOperationException>(() => plain.FormatChat([ChatMessage.User("hi")], true));
        var chat = Load(backend, (messages, prompt) => string.Join("|", messages.Select(m => m.Role + ":" + m.Content)) + (prompt ? "|assistant:" : ""));
        chat.HasChatTemplate.ShouldBeTrue();
        chat.FormatChat([ChatMessage.User("hi")], true).ShouldBe("user:hi|assistant:");
    }
}
