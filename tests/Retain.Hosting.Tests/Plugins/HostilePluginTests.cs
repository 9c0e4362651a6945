using System.Text.Json;
using Retain.Testing;

namespace Retain.Hosting.Tests.Plugins;

/// <summary>Plugins run in-process with full trust; a hanging or crashing one still gets a message naming it.</summary>
public class HostilePluginTests
{
    [Fact]
    public void A_plugin_that_never_finishes_registering_is_skipped_by_name_after_the_time_limit()
    {
        var (code, output, error) = TestBuild.Cli(
            ["plugins", "--json", "--plugins", Path.Combine(TestBuild.HostilePlugins, "HangingPlugin"), "--plugins", Path.Combine(TestBuild.FixturePlugins, "GreeterOne")],
            new Dictionary<string, string> { ["RETAIN_PLUGIN_TIMEOUT"] = "1" });

        code.ShouldBe(0, error);
        error.ShouldContain("plugin 'HangingPlugin' did not finish registering its components within 1 s");
        error.ShouldContain("Retain.Fixtures.Hostile.HangingPlugin.ConfigureServices");
        using var json = JsonDocument.Parse(output);
        json.RootElement.EnumerateArray().ShouldContain(e => e.GetProperty("name").GetString() == "greeter-one");
    }

    [Fact]
    public void A_plugin_whose_own_thread_throws_ends_the_host_with_one_message_naming_it_and_no_trace()
    {
        var (code, output, error) = TestBuild.Cli(["plugins", "--plugins", Path.Combine(TestBuild.HostilePlugins, "ThreadCrashPlugin")]);

        code.ShouldBe(1, output + error);
        error.ShouldContain("error: plugin 'ThreadCrashPlugin' (" + Path.Combine(TestBuild.HostilePlugins, "ThreadCrashPlugin", "ThreadCrashPlugin.dll") + ") failed on a thread of its own: InvalidOperationException: the fixture's worker thread fails on purpose.");
        error.ShouldNotContain("   at ");
        error.ShouldNotContain("Unhandled exception");
    }

    [Fact]
    public void A_registration_time_limit_that_is_not_a_number_is_a_usage_error_naming_the_variable()
    {
        var (code, _, error) = TestBuild.Cli(["plugins"], new Dictionary<string, string> { ["RETAIN_PLUGIN_TIMEOUT"] = "soon" });

        code.ShouldBe(2);
        error.ShouldContain("RETAIN_PLUGIN_TIMEOUT: 'soon' is not a number of seconds");
    }
}
