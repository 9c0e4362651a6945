using System.Text.Json.Nodes;
using Retain.Testing;

namespace Retain.Hosting.Tests.Runs;

/// <summary>The quickstart's domain task (assets/data/pet-facts) is learnable by the shipped model, and a run's Wise-FT point can be exported.</summary>
public class QuickstartTaskTests
{
    [Fact]
    public void A_short_standard_sft_run_on_pet_facts_beats_the_initial_model_by_a_wide_margin_and_exports_a_wise_ft_checkpoint()
    {
        using var temp = new TempFolder();
        var assets = TestPaths.RepoFile("assets");
        var template = JsonNode.Parse(File.ReadAllText(Path.Combine(assets, "quickstart.json")))!.AsObject();
        template["model"] = Path.Combine(assets, "models", "stories260K");
        template["output"] = temp.Path;
        template["methods"] = new JsonArray("standard");
        template["learningRates"] = new JsonArray(1e-3);
        template["seeds"] = new JsonArray(1);
        template["data"]!["trainLimit"] = 800;  // 50 optimizer steps of 16
        template["data"]!["roots"] = new JsonArray(Path.Combine(assets, "data"));
        template["validation"] = new JsonObject { ["everySteps"] = 25, ["limit"] = 50, ["testLimit"] = 100 };
        template["save"] = new JsonObject { ["dtype"] = "bf16" }; // best/ in bf16: the export must keep it
        var config = temp.File("pets.json", template.ToJsonString());

        var run = TestBuild.Cli(["run", config]);

        run.ExitCode.ShouldBe(0, run.Err + run.Out);
        run.Out.ShouldContain("[sweep] run 1 of 1: standard_lr1e-03_s1");
        var sweep = Path.Combine(temp.Path, "quickstart");
        var init = JsonNode.Parse(File.ReadAllText(Path.Combine(sweep, "init", "result.json")))!;
        var result = JsonNode.Parse(File.ReadAllText(Path.Combine(sweep, "standard_lr1e-03_s1", "result.json")))!;
        double initDomain = init["domain"]!.GetValue<double>(), domain = result["scores"]!["domain"]!.GetValue<double>();
        initDomain.ShouldBeLessThanOrEqualTo(0.15);
        domain.ShouldBeGreaterThan(initDomain + 0.3, $"Init {initDomain}, after 50 steps {domain}");
        result["scores"]!["domainCount"]!.GetValue<int>().ShouldBe(100);
        result["selection"]!["validations"]!.GetValue<int>().ShouldBe(2);
        result["selection"]!["flat"]!.GetValue<bool>().ShouldBeFalse();
        result["scores"]!["details"]!["continuation/loglik_per_token,none"]!.GetValue<double>().ShouldBeLessThan(0);
        File.ReadAllText(Path.Combine(sweep, "report.md")).ShouldContain("## Verdict");
        var report = TestBuild.Cli(["report", sweep, "--per-seed"]);
        report.ExitCode.ShouldBe(0, report.Err + report.Out);
        report.Out.ShouldContain("Domain ± binomial SE");
        report.Out.ShouldContain("| standard | 1e-03 | 1 | ");
        report.Out.ShouldContain("Finding 1 (a smaller learning rate gives a better domain/general trade-off): cannot tell");

        var export = TestBuild.Cli(["export", sweep, "--run", "standard_lr1e-03_s1", "--alpha", "0.5"]);
        export.ExitCode.ShouldBe(0, export.Err + export.Out);
        var merged = Path.Combine(sweep, "standard_lr1e-03_s1", "merged", "alpha=0.50");
        export.Out.ShouldContain(merged);
        foreach (var file in new[] { "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json" }) File.Exists(Path.Combine(merged, file)).ShouldBeTrue(file);
        Retain.Kernel.Models.Checkpoint.StoredDType(Path.Combine(sweep, "standard_lr1e-03_s1", "best")).ShouldBe(Retain.Kernel.Formats.Safetensors.SafetensorsDType.BF16);
        Retain.Kernel.Models.Checkpoint.StoredDType(merged).ShouldBe(Retain.Kernel.Formats.Safetensors.SafetensorsDType.BF16, "the export keeps best/'s dtype");
        var scored = TestBuild.Cli(["score", "--model", merged, "--text", "Lily has a dog named Spot.", "--json"]);
        scored.ExitCode.ShouldBe(0, scored.Err + scored.Out);

        var badAlpha = TestBuild.Cli(["export", sweep, "--run", "standard_lr1e-03_s1", "--alpha", "1.5"]);
        badAlpha.ExitCode.ShouldBe(2);
        badAlpha.Err.ShouldContain("outside [0, 1]");
        var badRun = TestBuild.Cli(["export", sweep, "--run", "nope", "--alpha", "0.5"]);
        badRun.ExitCode.ShouldBe(2);
        badRun.Err.ShouldContain("its runs: standard_lr1e-03_s1");
    }
}
