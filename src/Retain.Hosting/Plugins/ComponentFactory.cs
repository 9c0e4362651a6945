using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Retain.Hosting.Configuration;
using Retain.Plugins;

namespace Retain.Hosting.Plugins;

/// <summary>
/// Creates the component a configuration names: finds it by kind and name (keyed services), binds its options
/// strictly from the reference's options section, validates them (DataAnnotations and every
/// <see cref="IValidateOptions{TOptions}"/> the plugin registered) and constructs it with
/// <see cref="ActivatorUtilities"/>. Problems are added to the error list; nothing throws for bad input.
/// </summary>
public sealed class ComponentFactory(IServiceProvider services, PluginCatalog catalog)
{
    /// <summary>Creates the component, or returns null after recording why it could not be.</summary>
    public T? Create<T>(PluginKind kind, ComponentReference reference, StrictBinder binder, List<ConfigurationError> errors) where T : class
    {
        var descriptor = Resolve(kind, reference, binder, errors);
        if (descriptor is null) return null;
        var options = BindOptions(descriptor, reference, binder, errors);
        if (options is null) return null;
        try
        {
            var instance = options is NoOptions
                ? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType)
                : ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType, options);
            if (instance is T typed) return typed;
            errors.Add(binder.Error(reference.Path, $"{Noun(kind)} '{reference.Name}' ({descriptor.ImplementationType.FullName}) does not implement {typeof(T).Name}."));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var inner = e is System.Reflection.TargetInvocationException { InnerException: { } ie } ? ie : e;
            errors.Add(binder.Error(reference.Path, $"{Noun(kind)} '{reference.Name}' could not be created: {inner.Message}"));
        }
        return null;
    }

    /// <summary>The registered component, or null after recording an error that lists the available names.</summary>
    public ComponentDescriptor? Resolve(PluginKind kind, ComponentReference reference, StrictBinder binder, List<ConfigurationError> errors)
    {
        var descriptor = services.GetKeyedService<ComponentDescriptor>(new ComponentKey(kind, reference.Name))
                         ?? catalog.Find(kind, reference.Name)?.Descriptor;
        if (descriptor is not null) return descriptor;

        var available = catalog.OfKind(kind).Select(c => c.Name).ToList();
        var conflict = catalog.Failures.FirstOrDefault(f => f.Reason.Contains($"{new ComponentKey(kind, reference.Name.ToLowerInvariant())} is claimed", StringComparison.Ordinal));
        string message = conflict is not null
            ? $"{Noun(kind)} '{reference.Name}' is unavailable: {conflict.Reason}"
            : available.Count == 0
                ? $"unknown {Noun(kind)} '{reference.Name}': no {Noun(kind)} plugins were found (searched: {string.Join(", ", catalog.SearchPaths)})."
                : $"unknown {Noun(kind)} '{reference.Name}'.{StrictBinder.Suggest(reference.Name, available)} Available: {string.Join(", ", available)}.";
        errors.Add(binder.Error(reference.Path, message));
        return null;
    }

    /// <summary>
    /// Binds and validates the component's options. Returns the options object, <see cref="NoOptions.Instance"/>
    /// for components without options, or null when there were errors.
    /// </summary>
    public object? BindOptions(ComponentDescriptor descriptor, ComponentReference reference, StrictBinder binder, List<ConfigurationError> errors)
    {
        int before = errors.Count;
        if (descriptor.OptionsType is null)
        {
            foreach (var child in reference.Options.GetChildren())
            {
                errors.Add(binder.Error(ConfigurationKeys.Combine(reference.OptionsPath, child.Key), $"{Noun(descriptor.Kind)} '{descriptor.Name}' takes no options."));
            }
            return errors.Count == before ? NoOptions.Instance : null;
        }

        var options = binder.Bind(reference.Options, reference.OptionsPath, descriptor.OptionsType, errors);
        if (errors.Count > before) return null;
        binder.Validate(options, reference.OptionsPath, errors);
        var validatorType = typeof(IValidateOptions<>).MakeGenericType(descriptor.OptionsType);
        foreach (var validator in services.GetServices(validatorType))
        {
            var result = (ValidateOptionsResult)validatorType.GetMethod(nameof(IValidateOptions<object>.Validate))!.Invoke(validator, [descriptor.Name, options])!;
            if (!result.Failed) continue;
            foreach (var failure in result.Failures ?? [result.FailureMessage])
            {
                errors.Add(binder.Error(reference.OptionsPath, failure));
            }
        }
        return errors.Count == before ? options : null;
    }

    private static string Noun(PluginKind kind) => kind switch
    {
        PluginKind.AnswerExtractor => "answer extractor",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Marks a component that takes no options.</summary>
    public sealed class NoOptions
    {
        /// <summary>The instance.</summary>
        public static readonly NoOptions Instance = new();
    }
}
