using Retain.Kernel.Backends.Cuda.Discovery;
using Retain.Testing;

namespace Retain.Cuda.Tests.Discovery;

/// <summary>A fake file-system root with empty files named like CUDA libraries (they cannot be loaded, only found).</summary>
internal sealed class FakeTree : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    public string Root => _folder.Path;

    public string Home => Path.Combine(Root, "home", "user");

    /// <summary>Creates an empty file at a root-relative path and returns its absolute path.</summary>
    public string File(string relative, string contents = "")
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, contents);
        return path;
    }

    /// <summary>An absolute path under the root.</summary>
    public string At(string relative) => Path.Combine(Root, relative);

    public FakeTree Set(string variable, string value)
    {
        _environment[variable] = value;
        return this;
    }

    public CudaSearchSettings Settings => new()
    {
        Root = Root,
        Home = Home,
        Environment = name => _environment.TryGetValue(name, out var value) ? value : null,
    };

    public IReadOnlyDictionary<CudaLibraryKind, CudaLibraryProbe> Probe() => CudaLibrarySearch.Probe(Settings);

    public void Dispose() => _folder.Dispose();
}
