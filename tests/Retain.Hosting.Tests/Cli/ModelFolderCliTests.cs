using Retain.Testing;

namespace Retain.Hosting.Tests.Cli;

/// <summary>The CLI on model folders as users have them: generation_config.json defaults, hub-cache folders, hostile files.</summary>
public class ModelFolderCliTests
{
    private static readonly string Stories = TestPaths.SharedFile("models", "stories260K");

    private static string CopyOfStories(TempFolder temp, string name)
    {
        string target = Path.Combine(temp.Path, name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Stories)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    [Fact]
    public void Generate_decodes_as_generation_config_says_unless_the_command_line_chooses()
    {
        using var temp = new TempFolder();
        string model = CopyOfStories(temp, "sampling");
        File.WriteAllText(Path.Combine(model, "generation_config.json"), """{"do_sample": true, "temperature": 0.7, "top_p": 0.9, "top_k": 20, "repetition_penalty": 1.3, "eos_token_id": 2}""");

        var (code, output, error) = TestBuild.Cli(["generate", "--model", model, "--prompt", "Once upon", "--max-tokens", "8"]);
        code.ShouldBe(0, error);
        error.ShouldContain("decoding as generation_config.json says: sampling with temperature 0.7, top_k 20, top_p 0.9, repetition_penalty 1.3 (--greedy or --temperature to choose).");
        output.ShouldNotBeEmpty();

        // Without top_k in the file, transformers' default 50 applies; --top-k overrides either.
        File.WriteAllText(Path.Combine(model, "generation_config.json"), """{"do_sample": true, "temperature": 0.7, "eos_token_id": 2}""");
        TestBuild.Cli(["generate", "--model", model, "--prompt", "Once upon", "--max-tokens", "4"]).Err.ShouldContain("top_k 50, top_p 1,");
        TestBuild.Cli(["generate", "--model", model, "--prompt", "Once upon", "--max-tokens", "4", "--top-k", "3"]).Err.ShouldContain("top_k 3, top_p 1,");
        TestBuild.Cli(["generate", "--model", model, "--prompt", "Once upon", "--max-tokens", "4", "--top-k", "-1"]).ExitCode.ShouldBe(2);

        var greedy = TestBuild.Cli(["generate", "--model", model, "--prompt", "Once upon", "--max-tokens", "8", "--greedy"]);
        greedy.ExitCode.ShouldBe(0, greedy.Err);
        greedy.Err.ShouldNotContain("generation_config.json");
    }

    [Fact]
    public void A_model_whose_weights_hold_NaN_fails_with_exit_1_naming_the_tensor()
    {
        using var temp = new TempFolder();
        string model = CopyOfStories(temp, "nan");
        string weights = Path.Combine(model, "model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        int headerLength = (int)BitConverter.ToUInt64(bytes, 0);
        using (var header = System.Text.Json.JsonDocument.Parse(bytes.AsMemory(8, headerLength)))
        {
            long offset = header.RootElement.GetProperty("model.norm.weight").GetProperty("data_offsets")[0].GetInt64();
            BitConverter.GetBytes(float.NaN).CopyTo(bytes, 8 + headerLength + offset);
        }
        File.WriteAllBytes(weights, bytes);

        var (code, _, error) = TestBuild.Cli(["score", "--model", model, "--text", "Once upon"]);
        code.ShouldBe(1);
        error.ShouldContain($"{weights}: tensor 'model.norm.weight' has 1 NaN and 0 infinite value(s) among its 64 elements");
    }
}
