using System.Diagnostics;
using Retain.Testing;

namespace Retain.Cuda.Tests.Gpu;

/// <summary>
/// tests/gpu/run.sh, the one command for the GPU checks, where there is no GPU: it parses, refuses clearly (exit 2)
/// when it cannot verify anything, and its --quick mode runs the short plan (fake retain and python that log their
/// arguments stand in for the GPU run).
/// </summary>
public sealed class GpuScriptTests : IDisposable
{
    private static readonly string Script = TestPaths.RepoFile("tests", "gpu", "run.sh");

    private readonly string _folder = Directory.CreateTempSubdirectory("retain-gpu-script-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Code, string Output) Bash(IDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }

    private string Fake(string name, string body)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, "#!/usr/bin/env bash\n" + body + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Fact]
    public void The_script_parses()
    {
        Bash(null, "-n", Script).Code.ShouldBe(0);
    }

    [Fact]
    public void Bad_usage_and_a_missing_retain_exit_2_with_the_reason()
    {
        var (code, output) = Bash(null, Script, "--fast");
        code.ShouldBe(2);
        output.ShouldContain("unknown option --fast");
        (code, output) = Bash(null, Script, "--quick", Path.Combine(_folder, "no-retain"), Path.Combine(_folder, "out"));
        code.ShouldBe(2);
        output.ShouldContain("no retain executable at");
    }

    [Fact]
    public void Without_a_usable_gpu_the_real_retain_is_refused_with_exit_2()
    {
        string retain = Path.Combine(AppContext.BaseDirectory, "retain");
        File.Exists(retain).ShouldBeTrue("the CLI's apphost beside the tests");
        var (code, output) = Bash(null, Script, "--quick", retain, Path.Combine(_folder, "out"));
        code.ShouldBe(2, output);
        output.ShouldContain("found no usable CUDA GPU");
        output.ShouldNotContain("every op against the CPU backend");
    }

    [Fact]
    public void The_quick_run_is_doctor_every_op_and_one_training_step_against_pytorch()
    {
        string log = Path.Combine(_folder, "calls.log");
        string retain = Fake("retain", $"echo \"retain $*\" >> '{log}'");
        string python = Fake("python", $"echo \"python $*\" >> '{log}'");
        var (code, output) = Bash(new Dictionary<string, string> { ["PYTHON"] = python }, Script, "--quick", retain, Path.Combine(_folder, "out"));
        code.ShouldBe(0, output);
        output.ShouldContain("all GPU checks passed");
        var calls = File.ReadAllLines(log).Select(l => l.Replace(TestPaths.RepoRoot, "REPO", StringComparison.Ordinal)).ToArray();
        calls.Length.ShouldBe(4, string.Join('\n', calls));
        calls[0].ShouldBe("retain doctor --device cuda");
        calls[1].ShouldBe("retain doctor --verify --device cuda --matmul all");
        calls[2].ShouldStartWith("retain debug train-step --model REPO/tests/Retain.Kernel.Tests/Fixtures/llama3 --batch REPO/tests/Retain.Kernel.Tests/Fixtures/llama3/batch.json");
        calls[2].ShouldEndWith("--device cuda --matmul fp32");
        calls[3].ShouldStartWith("python REPO/tests/gpu/compare.py ");
        calls[3].ShouldContain("REPO/tests/Retain.Kernel.Tests/Fixtures/llama3/expected.safetensors --tolerance 1e-4");
    }
}
