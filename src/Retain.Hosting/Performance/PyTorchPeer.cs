namespace Retain.Hosting.Performance;

/// <summary>
/// The PyTorch side of <c>retain bench</c>, one process per case: for the CPU suite <c>bench/pytorch_bench.py</c>
/// (source: tests/reference/pytorch_bench.py) run by a Python that imports torch (Debian <c>python3-torch</c>); for the
/// GPU suite <c>bench/pytorch_bench_gpu.py</c> (Hugging Face transformers on CUDA).
/// </summary>
public sealed class PyTorchPeer
{
    private readonly string _python;
    private readonly string _script;

    private PyTorchPeer(string python, string script, string version)
    {
        _python = python;
        _script = script;
        Version = version;
    }

    /// <summary>The Python executable.</summary>
    public string Python => _python;

    /// <summary>torch.__version__.</summary>
    public string Version { get; }

    /// <summary>Where the peer script of a suite ships beside the CLI.</summary>
    public static string ScriptPath(bool gpu) => Path.Combine(AppContext.BaseDirectory, "bench", gpu ? "pytorch_bench_gpu.py" : "pytorch_bench.py");

    private const string CpuProbe = "import torch; print(torch.__version__)";
    private const string GpuProbe =
        "import torch, transformers; assert torch.cuda.is_available(), 'torch.cuda.is_available() is False'; " +
        "print(torch.__version__ + ', transformers ' + transformers.__version__ + ', ' + torch.cuda.get_device_name())";

    /// <summary>
    /// Finds a Python that imports torch: <paramref name="python"/> when given, else RETAIN_PYTHON, else
    /// /usr/bin/python3 (Debian's python3-torch) and python3 on PATH. Returns null and why when none does.
    /// </summary>
    public static (PyTorchPeer? Peer, string? Reason) Find(string? python, bool gpu = false)
    {
        var script = ScriptPath(gpu);
        if (!File.Exists(script)) return (null, $"the peer script is missing at {script}");
        python ??= Environment.GetEnvironmentVariable("RETAIN_PYTHON");
        var candidates = python is not null ? new[] { python } : new[] { "/usr/bin/python3", "python3" };
        var problems = new List<string>();
        foreach (var candidate in candidates.Distinct())
        {
            ChildProcess.Result probe;
            try
            {
                probe = ChildProcess.Run(candidate, ["-c", gpu ? GpuProbe : CpuProbe], TimeSpan.FromSeconds(120));
            }
            catch (System.ComponentModel.Win32Exception)
            {
                problems.Add($"{candidate}: not found");
                continue;
            }
            if (probe.ExitCode == 0) return (new PyTorchPeer(candidate, script, probe.Out.Trim()), null);
            problems.Add($"{candidate}: {ChildProcess.LastErrorLine(probe)}");
        }
        var wanted = gpu ? "PyTorch with CUDA and transformers" : "PyTorch (install python3-torch, or pass --python)";
        return (null, $"no Python with {wanted}: " + string.Join("; ", problems));
    }

    /// <summary>Runs one case; throws with the script's error when it fails.</summary>
    public CaseMeasurement Measure(BenchCase benchCase, BenchSettings settings, string scratch, TimeSpan timeout)
    {
        string[] arguments =
        [
            _script, "--model", benchCase.Model.MaterializeFor(scratch), "--phase", benchCase.Phase.ToString().ToLowerInvariant(),
            .. settings.Arguments(),
            .. benchCase.Phase == BenchPhase.Generate
                ? new[] { "--prompt", Invariant(benchCase.PromptLength), "--new", Invariant(benchCase.Length) }
                : new[] { "--rows", Invariant(benchCase.Rows), "--length", Invariant(benchCase.Length) },
        ];
        var result = ChildProcess.Run(_python, arguments, timeout);
        if (result.ExitCode != 0) throw new InvalidOperationException($"PyTorch peer: {ChildProcess.LastErrorLine(result)}");
        return CaseMeasurement.Parse(result.Out, "the PyTorch peer");
    }

    private static string Invariant(int value) => BenchSettings.Invariant(value);
}
