using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retain.Evaluation;
using Retain.Plugins;

namespace Retain.Benchmarks.Tests;

/// <summary>The plugins register their components the way the host discovers and creates them.</summary>
public class RegistrationTests
{
    public static readonly TheoryData<Type, string[]> Plugins = new()
    {
        { typeof(Retain.Benchmarks.Gsm8k.Gsm8kPlugin), ["gsm8k", "gsm8k-chat"] },
        { typeof(Retain.Benchmarks.IFEval.IFEvalPlugin), ["ifeval"] },
        { typeof(Retain.Benchmarks.Code.CodePlugin), ["humaneval", "mbpp"] },
        { typeof(Retain.Benchmarks.MultipleChoice.MultipleChoicePlugin), ["arc-easy", "arc-challenge", "piqa", "hellaswag", "mmlu", "winogrande", "boolq"] },
        { typeof(Retain.Benchmarks.Continuation.ContinuationPlugin), ["continuation"] },
    };

    [Theory]
    [MemberData(nameof(Plugins))]
    public void Each_plugin_registers_its_benchmarks_with_valid_default_options(Type pluginType, string[] names)
    {
        var services = new ServiceCollection();
        ((IRetainPlugin)Activator.CreateInstance(pluginType)!).ConfigureServices(services, new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();
        var descriptors = provider.GetServices<ComponentDescriptor>().ToList();
        descriptors.Select(d => d.Name).ShouldBe(names, ignoreOrder: true);
        foreach (var d in descriptors)
        {
            d.Kind.ShouldBe(PluginKind.Benchmark);
            d.Description.ShouldNotBeNullOrWhiteSpace();
            d.OptionsType.ShouldNotBeNull();
            var options = Activator.CreateInstance(d.OptionsType!)!;
            var errors = new List<ValidationResult>();
            Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true).ShouldBeTrue(string.Join("; ", errors));
            ActivatorUtilities.CreateInstance(provider, d.ImplementationType, options).ShouldBeAssignableTo<IBenchmark>();
        }
    }

    [Fact]
    public void Out_of_range_options_fail_validation_by_name()
    {
        var options = new Retain.Benchmarks.MultipleChoice.MmluOptions { FewShot = 6 };
        var errors = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true).ShouldBeFalse();
        errors.Single().MemberNames.ShouldBe(["FewShot"]);
    }
}
