using System.Globalization;
using System.Text.RegularExpressions;

namespace Retain.Cuda.Tests.Discovery;

/// <summary>A function as a header or a generated binding declares it, under its API name.</summary>
internal sealed record CudaPrototype(string Source, string Result, string Name, IReadOnlyList<string> Parameters);

/// <summary>
/// The declarations of one CUDA release that InteropHeaderTests checks the bindings against, read from excerpt files
/// (Fixtures/CudaHeaders): C header excerpts (CUDA 12.6.3) or excerpts of NVIDIA's Cython bindings generated from the
/// CUDA 13 headers (cuda13/). Both fill one model: API name → ABI symbol, typedefs, enums, enumerators, prototypes.
/// </summary>
internal sealed partial class CudaDeclarations
{
    private CudaDeclarations(string version) => Version = version;

    /// <summary>The CUDA release the declarations come from.</summary>
    public string Version { get; }

    /// <summary>API name → the ABI symbol it binds to (<c>cuMemAlloc</c> → <c>cuMemAlloc_v2</c>).</summary>
    public Dictionary<string, string> Macros { get; } = [];

    public Dictionary<string, string> Typedefs { get; } = [];
    public HashSet<string> Enums { get; } = [];
    public HashSet<string> Structs { get; } = [];
    public Dictionary<string, int> Enumerators { get; } = [];
    public List<CudaPrototype> Prototypes { get; } = [];

    /// <summary>The symbols the generated loaders resolve with dlsym on Linux (null for header excerpts, which have none).</summary>
    public HashSet<string>? Exports { get; private set; }

    [GeneratedRegex(@"^#define\s+(\w+)\s+(?:__CUDA_API_PTSZ\(|__CUDA_API_PTDS\()?(\w+)\)?\s*$")]
    private static partial Regex Macro();

    [GeneratedRegex(@"^\s*typedef\s+(?!enum\b)(.*?)\b(\w+)\s*;")]
    private static partial Regex Typedef();

    [GeneratedRegex(@"^\s*}\s*(\w+)\s*;")]
    private static partial Regex EnumEnd();

    [GeneratedRegex(@"^\s*(\w+)\s*(?:=\s*(-?\w+))?\s*,?\s*(?:/\*.*)?$")]
    private static partial Regex Enumerator();

    [GeneratedRegex(@"^(.*?)\b(\w+)\s*\((.*)\)\s*;$", RegexOptions.Singleline)]
    private static partial Regex PrototypeStatement();

    /// <summary>Reads C header excerpts (verbatim header lines; '// ' lines are the excerpt's own notes).</summary>
    public static CudaDeclarations FromHeaders(string version, IEnumerable<string> files)
    {
        var set = new CudaDeclarations(version);
        foreach (var file in files)
        {
            string header = Path.GetFileNameWithoutExtension(file);
            var lines = File.ReadAllLines(file).Where(l => !l.StartsWith("// ", StringComparison.Ordinal)).Select(l => Regex.Replace(l, @"/\*.*?\*/|//.*$", "")).ToArray();
            int? enumNext = null;
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                if (Regex.IsMatch(line, @"^\s*typedef\s+enum\b"))
                {
                    enumNext = 0;
                    continue;
                }
                if (EnumEnd().Match(line) is { Success: true } end)
                {
                    set.Enums.Add(end.Groups[1].Value);
                    enumNext = null;
                    continue;
                }
                if (enumNext is not null)
                {
                    if (line.Trim() is "{" or "") continue;
                    var m = Enumerator().Match(line);
                    if (!m.Success) continue;
                    // Excerpts keep an enum's every line only where values are implicit, so only then count.
                    int value = m.Groups[2].Success ? ParseValue(m.Groups[2].Value) : enumNext.Value;
                    set.Enumerators[m.Groups[1].Value] = value;
                    enumNext = value + 1;
                    continue;
                }
                if (Macro().Match(line) is { Success: true } macro)
                {
                    set.Macros[macro.Groups[1].Value] = macro.Groups[2].Value;
                    continue;
                }
                if (Typedef().Match(line) is { Success: true } typedef)
                {
                    set.Typedefs[typedef.Groups[2].Value] = typedef.Groups[1].Value.Replace("__device_builtin__", "").Trim();
                    continue;
                }
                if (line.Contains('(') && !line.StartsWith('#'))
                {
                    string statement = line;
                    while (!statement.Contains(';')) statement += " " + lines[++i];
                    var p = PrototypeStatement().Match(statement.Trim());
                    if (!p.Success) throw new InvalidOperationException($"{file}: cannot read '{statement.Trim()}'");
                    var parameters = p.Groups[3].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                    string result = Regex.Replace(p.Groups[1].Value, @"\b(CUDAAPI|CUBLASAPI|CUBLASWINAPI)\b", "").Trim();
                    set.Prototypes.Add(new CudaPrototype(header, result, p.Groups[2].Value, parameters));
                }
            }
        }
        return set;
    }

    [GeneratedRegex(@"^\{\{if '(\w+)' in found_functions\}\}$")]
    private static partial Regex FoundFunctionGuard();

    [GeneratedRegex(@"^\s*(?:cdef|ctypedef)\s+enum\s+(\w+)")]
    private static partial Regex CythonEnum();

    [GeneratedRegex(@"^\s+(\w+)(?:\s+""\w+"")?\s*=\s*(.+?)\s*$")]
    private static partial Regex CythonEnumerator();

    [GeneratedRegex(@"^\s*cdef\s+struct\s+(\w+)\s*:")]
    private static partial Regex CythonStruct();

    [GeneratedRegex(@"^\s*ctypedef\s+(?!enum\b)(.+?)\s*\b(\w+)(?:\s+['""]\w+['""])?\s*$")]
    private static partial Regex CythonTypedef();

    [GeneratedRegex(@"^cdef\s+(.+?)\b(\w+)\((.*?)\)\s*(?:except|noexcept|nogil|:|$)")]
    private static partial Regex CythonPrototype();

    [GeneratedRegex(@"^\s+global __(\w+)$")]
    private static partial Regex CythonGlobal();

    [GeneratedRegex(@"\bdlsym\(handle, '(\w+)'\)")]
    private static partial Regex Dlsym();

    /// <summary>
    /// Reads excerpts of NVIDIA's generated Cython bindings (cuda-python's cydriver/cynvrtc, nvmath-python's cycublas):
    /// <c>{{if 'cuMemAlloc_v2' in found_functions}}</c> before <c>cdef CUresult cuMemAlloc(…)</c> names the ABI symbol of
    /// an API name, as does cuBLAS's loader wrapper <c>cdef … _cublasCreate(…):</c> with its <c>global __cublasCreate_v2</c>;
    /// <c>dlsym(handle, '…')</c> outside an <c>if usePTDS:</c> branch is a symbol the loader resolves.
    /// </summary>
    public static CudaDeclarations FromCython(string version, IEnumerable<string> files)
    {
        var set = new CudaDeclarations(version) { Exports = [] };
        foreach (var file in files)
        {
            string source = Path.GetFileName(file).Replace(".excerpt", "", StringComparison.Ordinal);
            string? guard = null, wrapper = null, enumName = null;
            int enumIndent = 0;
            int? ptdsIndent = null;
            foreach (var raw in File.ReadAllLines(file))
            {
                string line = raw.TrimEnd();
                if (line.StartsWith("// ", StringComparison.Ordinal) || line.Length == 0) continue;
                int indent = line.Length - line.TrimStart().Length;
                if (enumName is not null && indent <= enumIndent) enumName = null;
                if (ptdsIndent is not null && indent <= ptdsIndent) ptdsIndent = null;
                if (enumName is not null)
                {
                    // An enum's members until the first line that is not one (excerpts join lines from far apart).
                    if (CythonEnumerator().Match(line) is { Success: true } m)
                    {
                        set.Enumerators[m.Groups[1].Value] = ParseValue(m.Groups[2].Value.Replace("(", "").Replace(")", ""));
                        continue;
                    }
                    enumName = null;
                }
                if (Regex.IsMatch(line, @"^\s*if usePTDS:$")) ptdsIndent = indent;
                else if (FoundFunctionGuard().Match(line) is { Success: true } g) guard = g.Groups[1].Value;
                else if (CythonEnum().Match(line) is { Success: true } e)
                {
                    set.Enums.Add(e.Groups[1].Value);
                    (enumName, enumIndent) = (e.Groups[1].Value, indent);
                }
                else if (CythonStruct().Match(line) is { Success: true } s) set.Structs.Add(s.Groups[1].Value);
                else if (CythonTypedef().Match(line) is { Success: true } t) set.Typedefs[t.Groups[2].Value] = t.Groups[1].Value.Trim();
                else if (CythonPrototype().Match(line) is { Success: true } p)
                {
                    string name = p.Groups[2].Value;
                    if (name.StartsWith('_'))
                    {
                        wrapper = name[1..]; // a loader's wrapper: its next "global __X" names the ABI symbol
                        continue;
                    }
                    if (guard is not null && guard != name) set.Macros[name] = guard;
                    guard = null;
                    var parameters = p.Groups[3].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                    set.Prototypes.Add(new CudaPrototype(source, p.Groups[1].Value.Trim(), name, parameters));
                }
                else if (wrapper is not null && CythonGlobal().Match(line) is { Success: true } global)
                {
                    if (global.Groups[1].Value != wrapper) set.Macros[wrapper] = global.Groups[1].Value;
                    wrapper = null;
                }
                else if (ptdsIndent is null && Dlsym().Match(line) is { Success: true } d) set.Exports.Add(d.Groups[1].Value);
            }
        }
        return set;
    }

    private static int ParseValue(string text) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? int.Parse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) : int.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>A C declaration ("const char * const *headers", "CUdeviceptr dptr") as a shape like ManagedShape's.</summary>
    public string Shape(string declaration)
    {
        string text = Regex.Replace(declaration, @"\bconst\b", " ");
        int pointers = text.Count(c => c == '*');
        var words = text.Replace("*", " ").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        // Drop the parameter name: the last word when the words before it already make a type.
        if (words.Count > 1 && !IsTypeWord(words[^1], words)) words.RemoveAt(words.Count - 1);
        string shape = BaseShape(string.Join(' ', words));
        for (int i = 0; i < pointers; i++) shape = "p(" + shape + ")";
        return shape;
    }

    private static readonly HashSet<string> CWords = ["unsigned", "signed", "long", "int", "short", "char", "float", "double", "void", "struct"];

    private static bool IsTypeWord(string word, List<string> words) =>
        CWords.Contains(word) || (words.Count >= 2 && words[^2] == "struct");

    private string BaseShape(string type) => type switch
    {
        "int" or "unsigned int" or "unsigned" or "signed int" => "i4",
        "long long" or "long long int" or "unsigned long long" or "unsigned long long int" or "size_t" => "i8",
        "char" or "unsigned char" or "signed char" => "i1",
        "float" => "f4",
        "double" => "f8",
        "void" => "void",
        _ when type.StartsWith("struct ", StringComparison.Ordinal) || Structs.Contains(type) => "opaque",
        _ when Enums.Contains(type) => "i4",
        _ when Typedefs.TryGetValue(type, out var target) => Shape(target),
        _ => throw new InvalidOperationException($"The CUDA {Version} excerpts do not define the type '{type}'."),
    };
}
