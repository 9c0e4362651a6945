namespace Retain.Plugins;

/// <summary>
/// Names a plugin component. The same attribute feeds the runtime registry (through <c>AddStrategy&lt;T&gt;()</c> and
/// friends) and the build-time manifest written by the plugin SDK, so the name is declared once.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class RetainComponentAttribute : Attribute
{
    /// <summary>Declares a component.</summary>
    /// <param name="name">The name configurations use, e.g. <c>talr</c>. Lower-case letters, digits and '-'.</param>
    public RetainComponentAttribute(string name) => Name = name;

    /// <summary>The name configurations use.</summary>
    public string Name { get; }

    /// <summary>One sentence for <c>retain plugins</c>.</summary>
    public string Description { get; set; } = "";

    /// <summary>The options class bound from the component's configuration section; null when it takes none.</summary>
    public Type? Options { get; set; }
}
