using System.Collections;
using System.Text.Json.Nodes;
using Retain.Hosting.Configuration;
using Retain.Hosting.Plugins;
using Retain.Hosting.Runs;
using Retain.Kernel.Formats.Safetensors;
using Retain.Testing;

namespace Retain.Hosting.Tests.Configuration;

/// <summary>The <c>model</c> and <c>save</c> keys: hub-cache folders, model checks at validation, the dtype of best/.</summary>
public class ModelSettingTests
{
    private static readonly string Stories = TestPaths.SharedFile("models", "stories260K");

    private static List<string> ModelErrors(TempFolder temp, string model)
    {
        var json = $$"""
            { "model": "{{model.Replace("\\", "/")}}", "dataset": "jsonl", "learningRates": [1e-5],
              "plugins": { "paths": [ "{{TestBuild.RepoPlugins.Replace("\\", "/")}}" ] } }
            """;
        var bound = BoundRunConfig.Bind(ConfigurationLoader.Load(temp.File("run.json", json), null, new Hashtable()));
        try
        {
            RetainHost.ForRun(bound);
            return [];
        }
        catch (ConfigurationException e)
        {
            return e.Errors.Where(x => x.DisplayKey == "model").Select(x => x.Message).ToList();
        }
    }

    private static string CopyOfStories(string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Stories)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    [Fact]
    public void A_hub_cache_folder_validates_and_a_config_its_tensors_contradict_is_a_model_error()
    {
        using var temp = new TempFolder();
        string repository = Path.Combine(temp.Path, "models--karpathy--stories260K");
        CopyOfStories(Path.Combine(repository, "snapshots", "abc123"));
        Directory.CreateDirectory(Path.Combine(repository, "refs"));
        File.WriteAllText(Path.Combine(repository, "refs", "main"), "abc123");
        ModelErrors(temp, repository).ShouldBeEmpty();
        ModelErrors(temp, repository + "@abc123").ShouldBeEmpty();
        ModelErrors(temp, repository + "@v9").Single().ShouldContain("revision 'v9' is neither a ref nor a snapshot");

        string config = Path.Combine(repository, "snapshots", "abc123", "config.json");
        var node = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        node["vocab_size"] = 2147483647;
        File.WriteAllText(config, node.ToJsonString());
        ModelErrors(temp, repository).Single().ShouldBe(
            $"{Path.Combine(repository, "snapshots", "abc123", "model.safetensors")}: tensor 'model.embed_tokens.weight' has shape [512, 64], but {config} implies [2147483647, 64] (vocab_size × hidden_size).");
    }

    [Fact]
    public void Best_is_saved_as_the_base_stores_its_weights_unless_a_dtype_is_named()
    {
        using var temp = new TempFolder();
        SweepContext.SaveOptionsOf(new SaveSettings(), Stories).DType.ShouldBe(SafetensorsDType.F32);
        string bf16 = CopyOfStories(Path.Combine(temp.Path, "bf16"));
        using (var source = SafetensorsFile.Open(Path.Combine(Stories, "model.safetensors")))
        {
            var tensors = source.Tensors.Select(t => SafetensorsTensor.FromFloats(t.Name, t.Shape, source.ReadFloat32(t.Name), SafetensorsDType.BF16)).ToList();
            SafetensorsWriter.Write(Path.Combine(bf16, "model.safetensors"), tensors);
        }
        SweepContext.SaveOptionsOf(new SaveSettings(), bf16).DType.ShouldBe(SafetensorsDType.BF16);
        SweepContext.SaveOptionsOf(new SaveSettings { DType = SaveDType.Fp32, MaxShardBytes = 1000 }, bf16).ShouldBe(
            new Kernel.Models.CheckpointSaveOptions { DType = SafetensorsDType.F32, MaxShardBytes = 1000 });
    }
}
