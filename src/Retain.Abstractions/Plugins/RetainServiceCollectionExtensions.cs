using System.Reflection;
using System.Text.RegularExpressions;
using Retain.Data;
using Retain.Evaluation;
using Retain.Plugins;
using Retain.Training;

// Extension methods live in the DI namespace so `services.AddStrategy<T>()` needs no extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of Retain components from a plugin's <see cref="IRetainPlugin.ConfigureServices"/>.</summary>
public static partial class RetainServiceCollectionExtensions
{
    /// <summary>Registers a training strategy (a class implementing one or more strategy roles).</summary>
    public static IServiceCollection AddStrategy<T>(this IServiceCollection services) where T : class, ITrainingStrategy
        => services.AddComponent(typeof(T), PluginKind.Strategy);

    /// <summary>Registers a domain dataset.</summary>
    public static IServiceCollection AddDataset<T>(this IServiceCollection services) where T : class, IDataset
        => services.AddComponent(typeof(T), PluginKind.Dataset);

    /// <summary>Registers a general-capability benchmark.</summary>
    public static IServiceCollection AddBenchmark<T>(this IServiceCollection services) where T : class, IBenchmark
        => services.AddComponent(typeof(T), PluginKind.Benchmark);

    /// <summary>Registers an answer extractor, usable by datasets that score extracted answers.</summary>
    public static IServiceCollection AddAnswerExtractor<T>(this IServiceCollection services) where T : class, IAnswerExtractor
        => services.AddComponent(typeof(T), PluginKind.AnswerExtractor);

    /// <summary>Reads the component's <see cref="RetainComponentAttribute"/> and registers its descriptor.</summary>
    public static IServiceCollection AddComponent(this IServiceCollection services, Type implementation, PluginKind kind)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(implementation);
        var attribute = implementation.GetCustomAttribute<RetainComponentAttribute>()
            ?? throw new InvalidOperationException(
                $"{implementation.FullName} has no [RetainComponent(\"name\")] attribute; every component needs a name.");
        if (!ValidName().IsMatch(attribute.Name))
        {
            throw new InvalidOperationException(
                $"{implementation.FullName}: component name '{attribute.Name}' must be lower-case letters, digits and '-' (e.g. 'talr', 'wise-ft').");
        }
        if (implementation.IsAbstract || implementation.IsInterface)
        {
            throw new InvalidOperationException($"{implementation.FullName}: a component must be a concrete class.");
        }
        if (attribute.Options is { } options && (options.IsAbstract || options.GetConstructor(Type.EmptyTypes) is null))
        {
            throw new InvalidOperationException(
                $"{implementation.FullName}: options type {options.FullName} needs a public parameterless constructor.");
        }

        var descriptor = new ComponentDescriptor(attribute.Name, kind, implementation, attribute.Options, attribute.Description);
        services.AddSingleton(descriptor);
        services.AddKeyedSingleton(new ComponentKey(kind, attribute.Name), descriptor);
        return services;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex ValidName();
}
