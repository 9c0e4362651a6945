using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retain.Plugins;

namespace Retain.Hosting.Plugins;

/// <summary>
/// Runs a plugin's entry points (constructor and <see cref="IRetainPlugin.ConfigureServices"/>) on a thread of their
/// own with a time limit, so a plugin that loops or blocks while registering is reported by name instead of hanging
/// the host. Plugins run in-process with full trust: a limit cannot stop the code, only stop waiting for it.
/// </summary>
internal static class PluginRegistration
{
    public static IServiceCollection Run(PluginInfo plugin, IReadOnlyList<Type> entryTypes, IConfiguration section, TimeSpan timeout)
    {
        var scratch = new ServiceCollection();
        Exception? failure = null;
        Type? failedType = null;
        var thread = new Thread(() =>
        {
            using var scope = AssemblyLoadContext.GetLoadContext(entryTypes[0].Assembly)!.EnterContextualReflection();
            foreach (var type in entryTypes)
            {
                try
                {
                    var entry = (IRetainPlugin)Activator.CreateInstance(type)!;
                    entry.ConfigureServices(scratch, section);
                }
                catch (Exception e)
                {
                    failure = e is TargetInvocationException { InnerException: { } inner } ? inner : e;
                    failedType = type;
                    return;
                }
            }
        })
        {
            // A thread stuck in a plugin must not keep the process alive after the host is done.
            IsBackground = true,
            Name = $"plugin registration: {plugin.Name}",
        };
        thread.Start();
        if (!thread.Join(timeout))
        {
            throw new PluginRegistrationTimeoutException(
                $"plugin '{plugin.Name}' did not finish registering its components within {timeout.TotalSeconds:0.###} s "
                + $"(an endless loop or a blocking call in {string.Join(", ", entryTypes.Select(t => t.FullName))}.ConfigureServices?); it was skipped. "
                + $"The limit is {RegistrationTimeoutVariable} (seconds).");
        }
        if (failure is not null)
        {
            throw new PluginLoadException($"entry point {failedType!.FullName} failed: {PluginLoader.DescribeLoadError(failure)}", failure);
        }
        return scratch;
    }

    /// <summary>The environment variable that sets the registration time limit in seconds.</summary>
    public const string RegistrationTimeoutVariable = "RETAIN_PLUGIN_TIMEOUT";
}

/// <summary>A plugin's registration ran past its time limit.</summary>
internal sealed class PluginRegistrationTimeoutException(string message) : Exception(message);
