using System.Text.Json.Nodes;
using Retain.Testing;

namespace Retain.Hosting.Tests.Runs;

/// <summary>A sweep small enough for process-level tests: stories260K on 16 shipped BoolQ rows, one learning rate, one seed.</summary>
internal static class TinySweep
{
    /// <summary>Writes tiny.json into the folder; the sweep goes to out/tiny; data roots: the shipped data and the folder.</summary>
    public static string Config(TempFolder temp, string methods, string? plugins = null, string trainPath = "boolq-mini/train.jsonl")
    {
        var assets = TestPaths.RepoFile("assets");
        var config = new JsonObject
        {
            ["name"] = "tiny",
            ["model"] = Path.Combine(assets, "models", "stories260K"),
            ["chatTemplate"] = "plain",
            ["output"] = Path.Combine(temp.Path, "out"),
            ["dataset"] = JsonNode.Parse($$"""
                { "name": "jsonl", "options": { "trainPath": "{{trainPath}}", "validationPath": "boolq-mini/validation.jsonl",
                  "testPath": "boolq-mini/test.jsonl", "maxNewTokens": 3, "stop": ["\n"], "ignoreCase": true } }
                """),
            ["data"] = new JsonObject { ["maxLength"] = 512, ["trainLimit"] = 16, ["roots"] = new JsonArray(Path.Combine(assets, "data"), temp.Path) },
            ["methods"] = JsonNode.Parse(methods),
            ["learningRates"] = new JsonArray(1e-3),
            ["seeds"] = new JsonArray(3),
            ["training"] = new JsonObject { ["epochs"] = 1, ["batchSize"] = 4, ["checkpointEverySteps"] = 1 },
            ["validation"] = new JsonObject { ["limit"] = 4, ["testLimit"] = 4 },
        };
        if (plugins is not null) config["plugins"] = new JsonObject { ["paths"] = new JsonArray(plugins) };
        return temp.File("tiny.json", config.ToJsonString());
    }
}
