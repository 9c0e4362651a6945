using System.Text.RegularExpressions;

namespace Retain.Kernel.Backends.Cuda.Discovery;

/// <summary>
/// Finds the CUDA libraries on disk without loading them. Folders are searched in this order: <c>RETAIN_CUDA_LIB_DIR</c>;
/// <c>CUDA_HOME</c> and <c>CUDA_PATH</c> (lib64, lib, targets/*/lib); <c>LD_LIBRARY_PATH</c>; <c>/usr/local/cuda</c> and then
/// <c>/usr/local/cuda-X.Y</c> newest first; the driver's folders (the distribution's library folders, WSL, the NVIDIA
/// container toolkit, folders listed in <c>/etc/ld.so.conf.d</c>); pip <c>nvidia-*</c> wheels in virtual environments,
/// conda, user and system site-packages (<c>nvidia/cu13/lib</c>, then <c>nvidia/*/lib</c>). The first folder holding a
/// wanted file wins; within a folder the newer major version wins. cuBLASLt and the NVRTC builtins must match the
/// major version of cuBLAS and NVRTC and are looked for beside them first.
/// </summary>
public static partial class CudaLibrarySearch
{
    /// <summary>File names of the driver library, preferred first.</summary>
    public static readonly IReadOnlyList<string> DriverFiles = ["libcuda.so.1", "libcuda.so"];

    /// <summary>File names of NVRTC, preferred first.</summary>
    public static readonly IReadOnlyList<string> NvrtcFiles = ["libnvrtc.so.13", "libnvrtc.so.12"];

    /// <summary>File names of cuBLAS, preferred first.</summary>
    public static readonly IReadOnlyList<string> CublasFiles = ["libcublas.so.13", "libcublas.so.12"];

    private static readonly string[] DriverFolders =
    [
        "usr/lib/x86_64-linux-gnu", "usr/lib64", "usr/lib/aarch64-linux-gnu", "usr/lib/wsl/lib", "usr/local/nvidia/lib64",
        "usr/local/nvidia/lib", "usr/lib/nvidia", "run/opengl-driver/lib", "lib/x86_64-linux-gnu", "lib64", "usr/lib",
    ];

    /// <summary>Every folder searched, in order, without duplicates (folders that do not exist included: they are reported).</summary>
    public static IReadOnlyList<string> Folders(CudaSearchSettings settings)
    {
        var folders = new List<string>();
        void Add(string? folder)
        {
            if (string.IsNullOrWhiteSpace(folder)) return;
            string full = Path.GetFullPath(folder);
            if (!folders.Contains(full)) folders.Add(full);
        }
        string R(string relative) => Path.Combine(settings.Root, relative);

        foreach (var dir in PathList(settings.Environment(CudaSearchSettings.LibraryDirectoryVariable))) Add(dir);
        foreach (var variable in new[] { "CUDA_HOME", "CUDA_PATH" })
        {
            if (settings.Environment(variable) is not { Length: > 0 } home) continue;
            Add(Path.Combine(home, "lib64"));
            Add(Path.Combine(home, "lib"));
            Add(Path.Combine(home, "targets", "x86_64-linux", "lib"));
            Add(Path.Combine(home, "targets", "sbsa-linux", "lib"));
        }
        foreach (var dir in PathList(settings.Environment("LD_LIBRARY_PATH"))) Add(dir);
        Add(R("usr/local/cuda/lib64"));
        Add(R("usr/local/cuda/targets/x86_64-linux/lib"));
        foreach (var toolkit in VersionedChildren(R("usr/local"), "cuda-")) Add(Path.Combine(toolkit, "lib64"));
        foreach (var folder in DriverFolders) Add(R(folder));
        foreach (var folder in LdSoConfFolders(settings)) Add(folder);
        foreach (var sitePackages in SitePackages(settings))
        {
            string nvidia = Path.Combine(sitePackages, "nvidia");
            Add(Path.Combine(nvidia, "cu13", "lib"));
            Add(Path.Combine(nvidia, "cuda_nvrtc", "lib"));
            Add(Path.Combine(nvidia, "cublas", "lib"));
            if (!Directory.Exists(nvidia)) continue;
            foreach (var package in Directory.GetDirectories(nvidia).OrderBy(d => d, StringComparer.Ordinal))
            {
                Add(Path.Combine(package, "lib"));
            }
        }
        return folders;
    }

    /// <summary>Finds every library; the result is what <c>retain doctor</c> reports and what the loader loads.</summary>
    public static IReadOnlyDictionary<CudaLibraryKind, CudaLibraryProbe> Probe(CudaSearchSettings? settings = null)
    {
        settings ??= new CudaSearchSettings();
        var folders = Folders(settings);
        var result = new Dictionary<CudaLibraryKind, CudaLibraryProbe>
        {
            [CudaLibraryKind.Driver] = Find(CudaLibraryKind.Driver, DriverFiles, folders),
        };

        var nvrtc = Find(CudaLibraryKind.Nvrtc, NvrtcFiles, folders);
        result[CudaLibraryKind.Nvrtc] = nvrtc;
        result[CudaLibraryKind.NvrtcBuiltins] = nvrtc.Path is null
            ? new CudaLibraryProbe(CudaLibraryKind.NvrtcBuiltins, ["libnvrtc-builtins.so.<major>.<minor>"], null, folders)
            : FindBuiltins(Major(nvrtc.Path), Path.GetDirectoryName(nvrtc.Path)!, folders);

        var cublas = Find(CudaLibraryKind.Cublas, CublasFiles, folders);
        result[CudaLibraryKind.Cublas] = cublas;
        result[CudaLibraryKind.CublasLt] = cublas.Path is null
            ? new CudaLibraryProbe(CudaLibraryKind.CublasLt, ["libcublasLt.so.<major>"], null, folders)
            : Find(CudaLibraryKind.CublasLt, [$"libcublasLt.so.{Major(cublas.Path)}"], [Path.GetDirectoryName(cublas.Path)!, .. folders]);
        return result;
    }

    private static CudaLibraryProbe Find(CudaLibraryKind kind, IReadOnlyList<string> files, IReadOnlyList<string> folders)
    {
        var distinct = folders.Distinct().ToList();
        foreach (var folder in distinct)
        {
            foreach (var file in files)
            {
                string path = Path.Combine(folder, file);
                if (File.Exists(path)) return new CudaLibraryProbe(kind, files, path, distinct);
            }
        }
        return new CudaLibraryProbe(kind, files, null, distinct);
    }

    private static CudaLibraryProbe FindBuiltins(int major, string besideNvrtc, IReadOnlyList<string> folders)
    {
        string[] names = [$"libnvrtc-builtins.so.{major}.<minor>", $"libnvrtc-builtins.so.{major}"];
        var searched = new List<string> { besideNvrtc };
        searched.AddRange(folders.Where(f => f != besideNvrtc));
        foreach (var folder in searched)
        {
            if (!Directory.Exists(folder)) continue;
            var best = Directory.GetFiles(folder, $"libnvrtc-builtins.so.{major}*")
                .Select(p => (Path: p, Version: BuiltinsVersion(Path.GetFileName(p), major)))
                .Where(x => x.Version is not null)
                .OrderByDescending(x => x.Version)
                .FirstOrDefault();
            if (best.Path is not null) return new CudaLibraryProbe(CudaLibraryKind.NvrtcBuiltins, names, best.Path, searched);
        }
        return new CudaLibraryProbe(CudaLibraryKind.NvrtcBuiltins, names, null, searched);
    }

    /// <summary>The minor version of <c>libnvrtc-builtins.so.M.m</c> (−1 for the unversioned <c>.so.M</c>); null for other names.</summary>
    private static int? BuiltinsVersion(string fileName, int major)
    {
        var match = BuiltinsName().Match(fileName);
        if (!match.Success || int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) != major) return null;
        return match.Groups[2].Success ? int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
    }

    [GeneratedRegex(@"^libnvrtc-builtins\.so\.(\d+)(?:\.(\d+))?$")]
    private static partial Regex BuiltinsName();

    /// <summary>The major version in a versioned shared-object name: <c>libcublas.so.12</c> → 12.</summary>
    public static int Major(string path)
    {
        string name = Path.GetFileName(path);
        int at = name.IndexOf(".so.", StringComparison.Ordinal);
        if (at < 0) return 0;
        string rest = name[(at + 4)..];
        int dot = rest.IndexOf('.');
        return int.TryParse(dot < 0 ? rest : rest[..dot], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int major) ? major : 0;
    }

    private static IEnumerable<string> PathList(string? value) =>
        (value ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Children of <paramref name="parent"/> named prefix + version, newest version first.</summary>
    private static IEnumerable<string> VersionedChildren(string parent, string prefix)
    {
        if (!Directory.Exists(parent)) return [];
        return Directory.GetDirectories(parent, prefix + "*")
            .Select(d => (Dir: d, Version: Version.TryParse(Path.GetFileName(d)[prefix.Length..], out var v) ? v : null))
            .Where(x => x.Version is not null)
            .OrderByDescending(x => x.Version)
            .Select(x => x.Dir);
    }

    /// <summary>Absolute folders listed in <c>/etc/ld.so.conf.d/*.conf</c> (the driver's packages register their folder there).</summary>
    private static IEnumerable<string> LdSoConfFolders(CudaSearchSettings settings)
    {
        string conf = Path.Combine(settings.Root, "etc", "ld.so.conf.d");
        if (!Directory.Exists(conf)) yield break;
        foreach (var file in Directory.GetFiles(conf, "*.conf").OrderBy(f => f, StringComparer.Ordinal))
        {
            string[] lines;
            try { lines = File.ReadAllLines(file); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            foreach (var raw in lines)
            {
                string line = raw.Trim();
                if (line.StartsWith('/')) yield return Path.Combine(settings.Root, line.TrimStart('/'));
            }
        }
    }

    /// <summary>site-packages folders where pip puts <c>nvidia-*</c> wheels: active venv/conda, PYTHONPATH, user, system.</summary>
    private static IEnumerable<string> SitePackages(CudaSearchSettings settings)
    {
        foreach (var variable in new[] { "VIRTUAL_ENV", "CONDA_PREFIX" })
        {
            if (settings.Environment(variable) is { Length: > 0 } prefix)
            {
                foreach (var dir in PythonLibFolders(Path.Combine(prefix, "lib"), "site-packages")) yield return dir;
            }
        }
        foreach (var dir in PathList(settings.Environment("PYTHONPATH"))) yield return dir;
        foreach (var dir in PythonLibFolders(Path.Combine(settings.Home, ".local", "lib"), "site-packages")) yield return dir;
        foreach (var dir in PythonLibFolders(Path.Combine(settings.Root, "usr", "local", "lib"), "dist-packages")) yield return dir;
        foreach (var dir in PythonLibFolders(Path.Combine(settings.Root, "usr", "local", "lib"), "site-packages")) yield return dir;
        yield return Path.Combine(settings.Root, "usr", "lib", "python3", "dist-packages");
        foreach (var dir in PythonLibFolders(Path.Combine(settings.Root, "opt", "conda", "lib"), "site-packages")) yield return dir;
    }

    private static IEnumerable<string> PythonLibFolders(string lib, string leaf) =>
        VersionedChildren(lib, "python").Select(p => Path.Combine(p, leaf)).Where(Directory.Exists);
}
