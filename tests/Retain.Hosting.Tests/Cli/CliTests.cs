using Retain.Testing;
using System.Text.Json;

namespace Retain.Hosting.Tests.Cli;

public class CliTests
{
    [Fact]
    public void Plugins_json_lists_every_in_repo_component_with_name_kind_version_and_assembly()
    {
        var (code, output, _) = TestBuild.Cli(["plugins", "--json"]);

        code.ShouldBe(0);
        using var json = JsonDocument.Parse(output);
        var standard = json.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "standard");
        standard.GetProperty("kind").GetString().ShouldBe("strategy");
        standard.GetProperty("version").GetString().ShouldNotBeNullOrEmpty();
        File.Exists(standard.GetProperty("assembly").GetString()).ShouldBeTrue();
    }

    [Fact]
    public void Bad_usage_exits_2_and_an_invalid_configuration_exits_2_with_every_error()
    {
        TestBuild.Cli(["no-such-verb"]).ExitCode.ShouldBe(2);

        using var temp = new TempFolder();
        var config = temp.File("bad.json", """{ "model": "nowhere", "learningRate": 1e-5 }""");
        var (code, _, error) = TestBuild.Cli(["config", "validate", config]);

        code.ShouldBe(2);
        error.ShouldContain("configuration errors:");
        error.ShouldContain("learningRate: unknown key 'learningRate'. Did you mean 'learningRates'?");
        error.ShouldContain("model: directory not found");
        error.ShouldNotContain("   at "); // no stack trace
    }

    [Fact]
    public void Help_and_version_are_available()
    {
        TestBuild.Cli(["--version"]).ExitCode.ShouldBe(0);
        var help = TestBuild.Cli(["config", "validate", "--help"]);
        help.ExitCode.ShouldBe(0);
        help.Out.ShouldContain("--set");
    }
}

public class TokenizeCliTests
{
    [Fact]
    public void Tokenize_prints_ids_with_the_tokenizers_own_special_tokens()
    {
        // stories260K adds <s> (1); 'a' is 261 and the snowman falls back to its three UTF-8 bytes <0xE2><0x98><0x83>.
        var (code, output, _) = TestBuild.Cli(["tokenize", "--tokenizer", Retain.Testing.TestPaths.SharedFile("models", "stories260K"), "--text", "a\u2603", "--json"]);
        code.ShouldBe(0);
        output.Trim().ShouldBe("{\"ids\":[1,261,229,155,134]}");
    }

    [Fact]
    public void A_missing_tokenizer_is_a_usage_error()
    {
        var (code, _, error) = TestBuild.Cli(["tokenize", "--tokenizer", "/no/such/dir", "--text", "x"]);
        code.ShouldBe(2);
        error.ShouldContain("no file or directory at /no/such/dir");
    }
}
