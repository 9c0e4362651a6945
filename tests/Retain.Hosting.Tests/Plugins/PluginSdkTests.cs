using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Retain.Hosting.Configuration;
using Retain.Hosting.Plugins;
using Retain.Plugins;
using Retain.Testing;
using Retain.Training;

namespace Retain.Hosting.Tests.Plugins;

/// <summary>The plugin SDK in build/: a plugin built outside the solution drops into an already-built host.</summary>
public class PluginSdkTests
{
    [Fact]
    public void A_plugin_built_outside_the_solution_is_discovered_and_run_by_the_already_built_host()
    {
        using var temp = new TempFolder();
        var build = DotnetBuild(TestPaths.RepoFile("tests", "fixtures", "ExternalPlugin", "ExternalPlugin.csproj"), temp.Path);
        build.ExitCode.ShouldBe(0, build.Out);

        // The SDK copied it into RetainPluginsDir/<RetainPluginName>/ with its manifest.
        var folder = Path.Combine(temp.Path, "plugins", "ExternalPlugin");
        File.Exists(Path.Combine(folder, "ExternalPlugin.dll")).ShouldBeTrue();
        File.Exists(Path.Combine(folder, "Retain.Abstractions.dll")).ShouldBeFalse("contracts must come from the host");
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "retain-plugin.json")));
        var component = manifest.RootElement.GetProperty("components")[0];
        component.GetProperty("name").GetString().ShouldBe("scaled-nll");
        component.GetProperty("kind").GetString().ShouldBe("strategy");
        component.GetProperty("roles")[0].GetString().ShouldBe("token-objective");
        var option = component.GetProperty("options").GetProperty("properties")[0];
        option.GetProperty("name").GetString().ShouldBe("Scale");
        option.GetProperty("type").GetString().ShouldBe("float");
        option.GetProperty("description").GetString().ShouldBe("Factor applied to every token's NLL.");

        // The CLI, built before the plugin existed, lists it.
        var listed = TestBuild.Cli(["plugins", "--json", "--plugins", Path.Combine(temp.Path, "plugins")]);
        listed.ExitCode.ShouldBe(0, listed.Err);
        using var json = JsonDocument.Parse(listed.Out);
        json.RootElement.EnumerateArray().ShouldContain(e => e.GetProperty("name").GetString() == "scaled-nll" && e.GetProperty("kind").GetString() == "strategy");

        // The host binds its options, runs its validator and its code.
        using var host = RetainHost.Build([new PluginSearchPath(Path.Combine(temp.Path, "plugins"), "test")]);
        var errors = new List<ConfigurationError>();
        var binder = new StrictBinder(_ => "run.json");
        var options = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["scale"] = "3" }).Build();
        var objective = host.Components.Create<ITokenObjective>(PluginKind.Strategy, new ComponentReference { Name = "scaled-nll", Options = options, Path = "methods:0:strategies:0" }, binder, errors);
        errors.ShouldBeEmpty();
        var batch = new TokenBatch { Normalizer = 2 };
        var buffers = batch.Prepare(2);
        buffers.Nll[0] = 1f;
        buffers.Nll[1] = 0.5f;
        float[] loss = new float[2], coefficient = new float[2];
        objective!.Accumulate(batch, loss, coefficient, NullMetricSink.Instance);
        loss.ShouldBe([1.5f, 0.75f]);
        coefficient.ShouldBe([1.5f, 1.5f]);

        var negative = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["scale"] = "-1" }).Build();
        host.Components.Create<ITokenObjective>(PluginKind.Strategy, new ComponentReference { Name = "scaled-nll", Options = negative, Path = "methods:0:strategies:0" }, binder, errors).ShouldBeNull();
        errors.ShouldHaveSingleItem().ToString().ShouldBe("run.json: methods[0].strategies[0].options: scale must be positive, got -1.");
    }

    [Fact]
    public void The_build_fails_with_clear_messages_when_there_is_no_entry_point_or_a_host_reference()
    {
        using var temp = new TempFolder();
        var root = TestPaths.RepoRoot.Replace('\\', '/').TrimEnd('/') + "/";
        var project = temp.File("NoEntry/NoEntry.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><RetainRoot>{root}</RetainRoot></PropertyGroup>
              <Import Project="$(RetainRoot)build/Retain.Plugin.props" />
              <ItemGroup><ProjectReference Include="$(RetainRoot)src/Retain.Kernel/Retain.Kernel.csproj" /></ItemGroup>
              <Import Project="$(RetainRoot)build/Retain.Plugin.targets" />
            </Project>
            """);
        temp.File("NoEntry/Thing.cs", "namespace NoEntry; public sealed class Thing { public Retain.Kernel.KernelInfo? Info { get; set; } }");

        var build = DotnetBuild(project, temp.Path);

        build.ExitCode.ShouldNotBe(0);
        build.Out.ShouldContain("RETAIN001");
        build.Out.ShouldContain("has no registration entry point: add a public, non-abstract class implementing Retain.Plugins.IRetainPlugin");
        build.Out.ShouldContain("RETAIN002");
        build.Out.ShouldContain("references the host assembly 'Retain.Kernel'");
        Directory.Exists(Path.Combine(temp.Path, "plugins", "NoEntry")).ShouldBeFalse("an invalid plugin is not copied");
    }

    private static (int ExitCode, string Out, string Err) DotnetBuild(string project, string temp)
        => TestBuild.Run("dotnet", ["build", project, "-c", TestBuild.Configuration, "-nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false",
            $"-p:RetainPluginsDir={Path.Combine(temp, "plugins")}/"]);
}
