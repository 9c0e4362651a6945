using Retain.Hosting.Tests.Runs;
using Retain.Testing;

namespace Retain.Hosting.Tests.Cli;

/// <summary><c>config validate</c> checks what can be checked without training, says what it did not, and unusable outputs are named.</summary>
public class ValidateTests
{
    [Fact]
    public void Validate_reads_the_data_checks_the_output_and_says_what_it_did_not_check()
    {
        using var temp = new TempFolder();
        var (code, output, error) = TestBuild.Cli(["config", "validate", TinySweep.Config(temp, "[\"standard\"]")]);

        code.ShouldBe(0, error + output);
        var lines = output.Trim().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        lines[0].ShouldEndWith("tiny.json: valid. Sweep 'tiny': 1 method(s) × 1 learning rate(s) × 1 seed(s) = 1 run(s).");
        lines[1].ShouldBe($"Checked: keys, types and values; plugins and their options; strategy combinations; the model folder has config.json; the output folder {Path.Combine(temp.Path, "out", "tiny")} can be written; the dataset 'jsonl' reads: 600 row(s), 0 rejected, 400 train / 50 validation / 150 test.");
        lines[2].ShouldBe("Not checked (needs the run itself): the model's weights and tokenizer, tokenized example lengths against data.maxLength, the benchmarks' data files, the device, and whether training converges.");
        Directory.Exists(Path.Combine(temp.Path, "out")).ShouldBeFalse("validation writes nothing");
    }

    [Fact]
    public void Validate_fails_on_a_malformed_data_row_naming_file_and_line()
    {
        using var temp = new TempFolder();
        var train = temp.File("train.jsonl", "{\"prompt\": \"q\", \"completion\": \"a\"}\n{\"prompt\": \"q\", \"completion\": }\n");
        var (code, output, error) = TestBuild.Cli(["config", "validate", TinySweep.Config(temp, "[\"standard\"]", trainPath: "train.jsonl")]);

        code.ShouldBe(1, error + output);
        error.Trim().ShouldStartWith($"error: {train}:2: invalid JSON (line 2, byte 31): '}}' is an invalid start of a value. Fix the row, or set the dataset option badRows to skip");
        output.ShouldNotContain("valid");
    }

    [Theory]
    [InlineData("file")]
    [InlineData("/dev/null")]
    public void An_output_path_that_is_a_file_or_a_device_is_refused_by_name(string kind)
    {
        using var temp = new TempFolder();
        var output = kind == "file" ? temp.File("not-a-folder", "x") : kind;
        var config = TinySweep.Config(temp, "[\"standard\"]");
        var (code, stdout, error) = TestBuild.Cli(["config", "validate", config, "--set", $"output={output}"]);

        code.ShouldBe(2, error + stdout);
        error.Trim().ShouldBe($"error: command line (--set output={output}): output: {output} is not a folder (it is a file or device), so {Path.Combine(output, "tiny")} cannot be created inside it.");
        TestBuild.Cli(["run", config, "--set", $"output={output}"]).ExitCode.ShouldBe(2);
    }
}
