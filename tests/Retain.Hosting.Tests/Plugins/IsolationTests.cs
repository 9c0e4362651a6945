using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Microsoft.Extensions.DependencyInjection;
using Retain.Data;
using Retain.Hosting.Configuration;
using Retain.Hosting.Plugins;
using Retain.Plugins;

namespace Retain.Hosting.Tests.Plugins;

public class IsolationTests
{
    [Fact]
    public void Two_plugins_with_conflicting_versions_of_one_dependency_both_work_in_one_host()
    {
        using var host = RetainHost.Build([new PluginSearchPath(TestBuild.FixturePlugins, "test")]);
        var factory = host.Components;
        var errors = new List<ConfigurationError>();
        var binder = new StrictBinder(_ => "test");

        var one = factory.Create<IAnswerExtractor>(PluginKind.AnswerExtractor, new ComponentReference { Name = "greeter-one" }, binder, errors);
        var two = factory.Create<IAnswerExtractor>(PluginKind.AnswerExtractor, new ComponentReference { Name = "greeter-two" }, binder, errors);

        errors.ShouldBeEmpty();
        one!.Extract("hi").ShouldBe("greeting v1: hi");
        two!.Extract("hi").ShouldBe("greeting v2: HI!");

        // Each plugin resolved its own copy, from its own folder, in its own load context.
        var versions = new[] { one, two }
            .Select(x => AssemblyLoadContext.GetLoadContext(x.GetType().Assembly)!.Assemblies.Single(a => a.GetName().Name == "Retain.Fixtures.Greeting"))
            .Select(a => a.GetName().Version!.Major)
            .ToList();
        versions.ShouldBe([1, 2]);
        AssemblyLoadContext.GetLoadContext(one.GetType().Assembly).ShouldNotBe(AssemblyLoadContext.GetLoadContext(two.GetType().Assembly));
    }

    [Fact]
    public void Contract_assemblies_are_shared_with_the_host_so_types_have_one_identity()
    {
        using var host = RetainHost.Build([new PluginSearchPath(TestBuild.FixturePlugins, "test")]);
        var component = host.Catalog.Find(PluginKind.AnswerExtractor, "greeter-one")!;
        var pluginContext = AssemblyLoadContext.GetLoadContext(component.Descriptor.ImplementationType.Assembly)!;

        pluginContext.ShouldNotBe(AssemblyLoadContext.Default);
        typeof(IAnswerExtractor).IsAssignableFrom(component.Descriptor.ImplementationType).ShouldBeTrue();
        pluginContext.Assemblies.ShouldNotContain(a => a.GetName().Name == "Retain.Abstractions");
    }

    [Fact]
    public void Unloading_the_catalog_releases_the_plugin_load_contexts()
    {
        var references = LoadUseAndUnload();
        for (int i = 0; i < 20 && references.Any(r => r.IsAlive); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        references.ShouldNotBeEmpty();
        references.ShouldAllBe(r => !r.IsAlive);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IReadOnlyList<WeakReference> LoadUseAndUnload()
    {
        var host = RetainHost.Build([new PluginSearchPath(TestBuild.FixturePlugins, "test")]);
        var extractor = host.Components.Create<IAnswerExtractor>(PluginKind.AnswerExtractor, new ComponentReference { Name = "greeter-two" }, new StrictBinder(_ => "test"), []);
        extractor!.Extract("x").ShouldBe("greeting v2: X!");
        var references = host.Catalog.LoadContextReferences();
        var catalog = host.Catalog;
        host.Dispose();
        catalog.Unload();
        return references;
    }
}
