using Retain.Testing;
using Retain.Hosting.Plugins;
using Retain.Plugins;

namespace Retain.Hosting.Tests.Plugins;

public class BrokenPluginTests
{
    [Fact]
    public void A_missing_dependency_is_reported_with_the_plugin_path_and_the_missing_assembly()
    {
        using var temp = new TempFolder();
        var broken = TestBuild.CopyPlugin("GreeterTwo", temp.Path);
        File.Delete(Path.Combine(broken, "Retain.Fixtures.Greeting.dll"));
        TestBuild.CopyPlugin("GreeterOne", temp.Path);

        using var host = RetainHost.Build([new PluginSearchPath(temp.Path, "test")]);

        var failure = host.Catalog.Failures.ShouldHaveSingleItem();
        failure.Path.ShouldBe(broken);
        failure.Reason.ShouldContain("Retain.Fixtures.Greeting");
        host.Catalog.Find(PluginKind.AnswerExtractor, "greeter-one").ShouldNotBeNull();
        host.Catalog.Find(PluginKind.AnswerExtractor, "greeter-two").ShouldBeNull();
    }

    [Fact]
    public void A_corrupt_assembly_is_reported_and_the_others_still_load()
    {
        using var temp = new TempFolder();
        temp.File("Corrupt/Corrupt.dll", "MZ this is not a portable executable");
        TestBuild.CopyPlugin("GreeterOne", temp.Path);

        using var host = RetainHost.Build([new PluginSearchPath(temp.Path, "test")]);

        var failure = host.Catalog.Failures.ShouldHaveSingleItem();
        failure.Path.ShouldEndWith("Corrupt");
        failure.Reason.ShouldContain("not a valid .NET assembly");
        host.Catalog.Plugins.Select(p => p.Name).ShouldBe(["GreeterOne"]);
    }

    [Fact]
    public void An_entry_point_that_throws_is_reported_with_its_message()
    {
        using var host = RetainHost.Build([new PluginSearchPath(TestBuild.FixturePlugins, "test")]);

        var failure = host.Catalog.Failures.ShouldHaveSingleItem();
        failure.Path.ShouldEndWith("ThrowingPlugin");
        failure.Reason.ShouldContain("Retain.Fixtures.Broken.ThrowingPlugin failed");
        failure.Reason.ShouldContain("broken on purpose");
        host.Catalog.Plugins.Select(p => p.Name).Order().ShouldBe(["ExitingPlugin", "GreeterOne", "GreeterTwo", "PoisonPlugin"]);
    }

    [Fact]
    public void Two_different_plugins_claiming_one_name_both_lose_it_and_both_are_reported()
    {
        using var temp = new TempFolder();
        var first = TestBuild.CopyPlugin("GreeterOne", temp.Path, "A");
        var second = TestBuild.CopyPlugin("GreeterOne", temp.Path, "B");
        var manifest = Path.Combine(second, "retain-plugin.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"name\": \"GreeterOne\"", "\"name\": \"GreeterFork\""));
        TestBuild.CopyPlugin("GreeterTwo", temp.Path);

        using var host = RetainHost.Build([new PluginSearchPath(temp.Path, "test")]);

        host.Catalog.Find(PluginKind.AnswerExtractor, "greeter-one").ShouldBeNull();
        host.Catalog.Failures.Select(f => f.Path).Order().ShouldBe([first, second]);
        host.Catalog.Failures.ShouldAllBe(f => f.Reason.Contains("answerextractor 'greeter-one' is claimed by more than one plugin (GreeterOne ("));
        host.Catalog.Failures.ShouldAllBe(f => f.Reason.Contains("GreeterFork ("));
        host.Catalog.Find(PluginKind.AnswerExtractor, "greeter-two").ShouldNotBeNull();
    }

    [Fact]
    public void The_same_plugin_in_two_folders_loads_from_the_folder_searched_first_and_the_message_names_both()
    {
        using var temp = new TempFolder();
        var fresh = TestBuild.CopyPlugin("GreeterOne", Path.Combine(temp.Path, "mine"));
        var stale = TestBuild.CopyPlugin("GreeterOne", Path.Combine(temp.Path, "default"));

        using var host = RetainHost.Build([new PluginSearchPath(Path.Combine(temp.Path, "mine"), "--plugins"), new PluginSearchPath(Path.Combine(temp.Path, "default"), "RETAIN_PLUGIN_PATH")]);

        host.Catalog.Find(PluginKind.AnswerExtractor, "greeter-one")!.Plugin.Directory.ShouldBe(fresh);
        var failure = host.Catalog.Failures.ShouldHaveSingleItem();
        failure.Path.ShouldBe(stale);
        failure.Reason.ShouldBe($"plugin 'GreeterOne' is also in {fresh} (from --plugins), which is searched first and wins; this copy is ignored (remove it if it is stale).");
    }

    [Fact]
    public void A_manifest_naming_an_assembly_outside_its_plugin_folder_is_refused()
    {
        using var temp = new TempFolder();
        TestBuild.CopyPlugin("GreeterOne", Path.Combine(temp.Path, "other"));
        var evil = temp.File("plugins/Evil/retain-plugin.json", """{ "name": "Evil", "assembly": "../../other/GreeterOne/GreeterOne.dll" }""");
        var linked = Path.Combine(temp.Path, "plugins", "Linked");
        Directory.CreateDirectory(linked);
        File.CreateSymbolicLink(Path.Combine(linked, "Linked.dll"), Path.Combine(temp.Path, "other", "GreeterOne", "GreeterOne.dll"));

        using var host = RetainHost.Build([new PluginSearchPath(Path.Combine(temp.Path, "plugins"), "test")]);

        host.Catalog.Plugins.ShouldBeEmpty();
        host.Catalog.Failures.Count.ShouldBe(2);
        host.Catalog.Failures[0].ShouldBe(new PluginFailure(Path.GetDirectoryName(evil)!,
            "retain-plugin.json names the assembly '../../other/GreeterOne/GreeterOne.dll', which is outside the plugin folder; a plugin loads only from its own folder."));
        host.Catalog.Failures[1].Path.ShouldBe(linked);
        host.Catalog.Failures[1].Reason.ShouldContain("Linked.dll is a link to " + Path.Combine(temp.Path, "other", "GreeterOne", "GreeterOne.dll") + ", outside the plugin folder");
    }

    [Fact]
    public void A_folder_that_is_not_a_plugin_and_a_missing_search_path_are_reported()
    {
        using var temp = new TempFolder();
        temp.File("NotAPlugin/readme.txt", "hello");
        var missing = Path.Combine(temp.Path, "nowhere");

        using var host = RetainHost.Build([new PluginSearchPath(temp.Path, "test"), new PluginSearchPath(missing, "RETAIN_PLUGIN_PATH")]);

        host.Catalog.Failures.Count.ShouldBe(2);
        host.Catalog.Failures[0].Reason.ShouldContain("not a plugin folder");
        host.Catalog.Failures[1].ShouldBe(new PluginFailure(missing, "plugin folder does not exist (named by RETAIN_PLUGIN_PATH)."));
    }

    [Fact]
    public void A_malformed_manifest_names_the_file()
    {
        using var temp = new TempFolder();
        var plugin = TestBuild.CopyPlugin("GreeterOne", temp.Path);
        File.WriteAllText(Path.Combine(plugin, "retain-plugin.json"), "{ not json");

        using var host = RetainHost.Build([new PluginSearchPath(temp.Path, "test")]);

        host.Catalog.Failures.ShouldHaveSingleItem().Reason.ShouldContain(Path.Combine(plugin, "retain-plugin.json") + ": the manifest is not valid JSON");
    }
}
