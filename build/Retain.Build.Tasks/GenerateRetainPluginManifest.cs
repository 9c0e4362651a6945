using System.Text.Json;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Retain.Build.Tasks;

/// <summary>
/// Validates a built plugin and writes its manifest (<c>retain-plugin.json</c>): name, version, description, the
/// assembly, and each component's name, kind, roles, description and options. Fails the build when the assembly has
/// no <c>IRetainPlugin</c> entry point or references a host assembly.
/// </summary>
public sealed class GenerateRetainPluginManifest : Microsoft.Build.Utilities.Task
{
    /// <summary>The compiled plugin assembly.</summary>
    [Required] public string AssemblyPath { get; set; } = "";

    /// <summary>The plugin's folder name.</summary>
    [Required] public string PluginName { get; set; } = "";

    /// <summary>The plugin version.</summary>
    public string Version { get; set; } = "";

    /// <summary>One sentence about the plugin.</summary>
    public string Description { get; set; } = "";

    /// <summary>Assembly names a plugin must not reference.</summary>
    public ITaskItem[] ForbiddenReferences { get; set; } = [];

    /// <summary>Where to write the manifest.</summary>
    [Required] public string OutputFile { get; set; } = "";

    /// <inheritdoc />
    public override bool Execute()
    {
        PluginMetadata metadata;
        try
        {
            metadata = PluginMetadata.Read(AssemblyPath);
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or InvalidOperationException)
        {
            Log.LogError(null, "RETAIN000", null, AssemblyPath, 0, 0, 0, 0, "Cannot read plugin assembly {0}: {1}", AssemblyPath, e.Message);
            return false;
        }

        var file = Path.GetFileName(AssemblyPath);
        if (metadata.EntryPoints.Count == 0)
        {
            Log.LogError(null, "RETAIN001", null, AssemblyPath, 0, 0, 0, 0,
                "Plugin {0} ({1}) has no registration entry point: add a public, non-abstract class implementing Retain.Plugins.IRetainPlugin whose ConfigureServices registers the plugin's components (services.AddStrategy<T>(), AddDataset<T>(), AddBenchmark<T>()).",
                PluginName, file);
        }
        var forbidden = new HashSet<string>(ForbiddenReferences.Select(i => i.ItemSpec), StringComparer.OrdinalIgnoreCase);
        foreach (var reference in metadata.References.Where(forbidden.Contains))
        {
            Log.LogError(null, "RETAIN002", null, AssemblyPath, 0, 0, 0, 0,
                "Plugin {0} ({1}) references the host assembly '{2}'. Plugins compile against Retain.Abstractions only: the host does not share '{2}' with plugins, so the plugin would run against a private copy. Remove the reference.",
                PluginName, file, reference);
        }
        foreach (var problem in metadata.Problems)
        {
            Log.LogError(null, "RETAIN003", null, AssemblyPath, 0, 0, 0, 0, "Plugin {0}: {1}", PluginName, problem);
        }
        if (Log.HasLoggedErrors) return false;

        var manifest = new
        {
            name = PluginName,
            version = Version,
            description = Description,
            assembly = file,
            entryPoints = metadata.EntryPoints,
            components = metadata.Components.Select(c => new
            {
                name = c.Name,
                kind = c.Kind,
                roles = c.Roles,
                type = c.Type,
                description = c.Description,
                options = c.Options is null ? null : new
                {
                    type = c.Options.Type,
                    properties = c.Options.Properties.Select(p => new { name = p.Name, type = p.Type, description = p.Description }),
                },
            }),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(OutputFile))!);
        File.WriteAllText(OutputFile, JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }));
        Log.LogMessage(MessageImportance.Low, "Wrote plugin manifest {0} ({1} components).", OutputFile, metadata.Components.Count);
        return true;
    }
}
