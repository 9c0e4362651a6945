using System.Text.Json;
using Retain.Benchmarks.IFEval;
using Retain.Benchmarks.IFEval.Instructions;
using Retain.Benchmarks.Tests.Fakes;
using Retain.Evaluation;

namespace Retain.Benchmarks.Tests.IFEval;

public class IFEvalBenchmarkTests
{
    [Fact]
    public void Loose_accepts_a_response_that_strict_rejects()
    {
        // The markdown asterisks and the chatty first line break "end with" and "quotation" strictly; the loose
        // variants drop the first line and the asterisks.
        var instructions = new[]
        {
            InstructionRegistry.Create("startend:quotation", "{}"),
            InstructionRegistry.Create("punctuation:no_comma", "{}"),
        };
        string response = "Sure here it is:\n\"**Quoted** answer\"";
        var verdict = IFEvalScoring.Judge(instructions, response);
        verdict.Strict.ShouldBe([false, true]);
        verdict.Loose.ShouldBe([true, true]);
        verdict.PromptStrict.ShouldBeFalse();
        verdict.PromptLoose.ShouldBeTrue();
    }

    [Fact]
    public void Loose_variants_come_in_lm_eval_order()
    {
        IFEvalScoring.LooseVariants("a*\nb\n*c").ShouldBe(["a*\nb\n*c", "a\nb\nc", "b\n*c", "a*\nb", "b", "b\nc", "a\nb", "b"]);
    }

    [Fact]
    public void Blank_responses_follow_nothing()
    {
        var verdict = IFEvalScoring.Judge([InstructionRegistry.Create("punctuation:no_comma", "{}")], "   \n ");
        verdict.Strict.ShouldBe([false]);
        verdict.Loose.ShouldBe([false]);
    }

    [Fact]
    public void The_dataset_loads_with_every_instruction_built()
    {
        var docs = IFEvalDoc.Load(Retain.Testing.TestPaths.SharedFile("data", "ifeval", "input_data.jsonl"));
        docs.Count.ShouldBe(541);
        docs.Sum(d => d.Instructions.Count).ShouldBe(834);
        docs.SelectMany(d => d.InstructionIds).Distinct().Count().ShouldBe(25);
    }

    [Fact]
    public void Run_sends_raw_prompts_greedily_until_eos_with_1280_tokens()
    {
        var model = new ScriptedModel { Respond = r => r.Prompt.ToUpperInvariant() };
        var records = new ListRecorder();
        var result = new IFEvalBenchmark(new IFEvalOptions()).Run(model, TestData.Shared(records, limit: 10));
        model.Generated.Count.ShouldBe(10);
        model.Generated.ShouldAllBe(g => g.Settings.MaxNewTokens == 1280 && g.Settings.Stop.Count == 0 && g.Settings.Temperature == 0);
        result.Metrics.Select(m => m.Name).ShouldBe(["inst_level_strict_acc,none", "prompt_level_strict_acc,none", "inst_level_loose_acc,none", "prompt_level_loose_acc,none"]);
        result.Metrics[1].Count.ShouldBe(10);
        result.Metrics[0].Count.ShouldBe(records.Items.Sum(r => ((IReadOnlyList<string>)r.Details["instruction_id_list"]!).Count));
    }

    [Fact]
    public void Responses_fixture_scores_to_the_known_verdicts()
    {
        var parsed = File.ReadAllLines(Path.Combine(TestData.Fixtures, "responses", "ifeval.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var responses = parsed.Select(e => new ResponseRecord(e.GetProperty("doc_id").GetInt32(), e.GetProperty("response").GetString()!)).ToList();
        var records = new ListRecorder();
        var result = new IFEvalBenchmark(new IFEvalOptions()).Score(responses, TestData.Shared(records));
        foreach (var e in parsed)
        {
            var item = records.Items.Single(r => r.DocId == e.GetProperty("doc_id").GetInt32());
            ((IReadOnlyList<bool>)item.Details["strict"]!).ShouldBe(e.GetProperty("strict").EnumerateArray().Select(x => x.GetBoolean()).ToList(), $"doc {item.DocId} strict");
            ((IReadOnlyList<bool>)item.Details["loose"]!).ShouldBe(e.GetProperty("loose").EnumerateArray().Select(x => x.GetBoolean()).ToList(), $"doc {item.DocId} loose");
        }
        int instructions = parsed.Sum(e => e.GetProperty("strict").GetArrayLength());
        int strictFollowed = parsed.Sum(e => e.GetProperty("strict").EnumerateArray().Count(x => x.GetBoolean()));
        result.Primary.Value.ShouldBe(strictFollowed / (double)instructions, 1e-12);
        result.Primary.Count.ShouldBe(instructions);
        result.Metrics[1].Count.ShouldBe(parsed.Count);
    }

    [Fact]
    public void Partial_unknown_and_repeated_doc_ids_are_said_or_refused()
    {
        var benchmark = new IFEvalBenchmark(new IFEvalOptions());
        benchmark.Score([new ResponseRecord(0, "hello"), new ResponseRecord(5, "world")], TestData.Shared()).Notes
            .ShouldBe(["scored 2 of 541 items: the responses file has no response for 539 doc_ids, and the metrics are over the 2 scored items only"]);
        Should.Throw<Retain.Data.DataException>(() => benchmark.Score([new ResponseRecord(541, "x")], TestData.Shared())).Message.ShouldContain("doc_id 541 is out of range");
        Should.Throw<Retain.Data.DataException>(() => benchmark.Score([new ResponseRecord(3, "x"), new ResponseRecord(3, "y")], TestData.Shared())).Message.ShouldContain("doc_id 3 appears more than once");
    }
}
