using System.Text.Json;
using Retain.Hosting.Performance;

namespace Retain.Hosting.Tests.Cli;

public class BenchCliTests
{
    private static readonly string[] Quick = ["bench", "--only", "stories260k-train", "--warmup", "2", "--warmup-seconds", "0", "--repeat", "2", "--no-gemm", "--json"];

    [Fact]
    public void Bench_json_reports_the_machine_and_each_side_of_a_case_in_the_documented_schema()
    {
        var (code, output, error) = TestBuild.Cli(Quick);

        code.ShouldBe(0, error);
        using var json = JsonDocument.Parse(output);
        var machine = json.RootElement.GetProperty("machine");
        machine.GetProperty("logical_cpus").GetInt32().ShouldBe(Environment.ProcessorCount);
        machine.GetProperty("threads").GetInt32().ShouldBe(Environment.ProcessorCount);
        var result = json.RootElement.GetProperty("results").EnumerateArray().ShouldHaveSingleItem();
        result.GetProperty("name").GetString().ShouldBe("stories260k-train");
        result.GetProperty("shape").GetString().ShouldBe("4x64");
        result.GetProperty("parameters").GetInt64().ShouldBeInRange(230_000, 290_000);
        double retain = result.GetProperty("retain_tokens_per_s").GetDouble();
        retain.ShouldBeGreaterThan(0);
        var seconds = result.GetProperty("retain_seconds");
        seconds.GetProperty("count").GetInt32().ShouldBe(2);
        (256 / seconds.GetProperty("median").GetDouble()).ShouldBe(retain, tolerance: retain * 1e-9);
        result.GetProperty("retain_peak_mb").GetDouble().ShouldBeGreaterThan(1);
        result.GetProperty("retain_alloc_bytes_per_run").GetInt64().ShouldBe(0); // the training loop allocates nothing per step
        double flops = result.GetProperty("model_flops_per_token").GetDouble();
        result.GetProperty("retain_tflops").GetDouble().ShouldBe(flops * retain / 1e12, tolerance: 1e-12);
        result.GetProperty("retain_mfu").ValueKind.ShouldBe(JsonValueKind.Null); // no peak is claimed for a CPU

        if (machine.GetProperty("pytorch").GetString()!.StartsWith("torch", StringComparison.Ordinal))
        {
            double torch = result.GetProperty("pytorch_tokens_per_s").GetDouble();
            result.GetProperty("ratio").GetDouble().ShouldBe(retain / torch, tolerance: 1e-9);
            result.GetProperty("pytorch_peak_mb").GetDouble().ShouldBeGreaterThan(1);
        }
        else
        {
            result.GetProperty("ratio").ValueKind.ShouldBe(JsonValueKind.Null);
            result.GetProperty("pytorch_error").GetString().ShouldNotBeNullOrEmpty();
        }
    }

    [Fact]
    public void Without_pytorch_the_report_says_why_and_retain_is_still_measured_with_its_per_op_times()
    {
        var (code, output, error) = TestBuild.Cli([.. Quick, "--python", "/nowhere/python3", "--ops"]);

        code.ShouldBe(0, error);
        error.ShouldContain("PyTorch peer not run: no Python with PyTorch");
        error.ShouldContain("/nowhere/python3: not found");
        using var json = JsonDocument.Parse(output);
        json.RootElement.GetProperty("machine").GetProperty("pytorch").GetString()!.ShouldStartWith("not run:");
        var result = json.RootElement.GetProperty("results")[0];
        result.GetProperty("retain_tokens_per_s").GetDouble().ShouldBeGreaterThan(0);
        result.GetProperty("pytorch_tokens_per_s").ValueKind.ShouldBe(JsonValueKind.Null);
        var ops = result.GetProperty("retain_ops").EnumerateArray().ToDictionary(o => o.GetProperty("op").GetString()!);
        ops["LinearForward"].GetProperty("calls_per_run").GetDouble().ShouldBe(5 * 7); // 5 layers × q, k, v, o, gate, up, down
        ops["AdamWStep"].GetProperty("seconds_per_run").GetDouble().ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Unknown_cases_and_suites_are_usage_errors_that_list_what_exists()
    {
        var (code, _, error) = TestBuild.Cli(["bench", "--only", "llama7b"]);
        code.ShouldBe(2);
        error.ShouldContain("no case or model named 'llama7b'");
        error.ShouldContain("gpt2-124m-train");

        var suite = TestBuild.Cli(["bench", "--suite", "tpu"]);
        suite.ExitCode.ShouldBe(2);
        suite.Err.ShouldContain("Unknown suite 'tpu'; suites: cpu");
    }

    [Fact]
    public void The_gpu_suite_on_a_machine_without_a_usable_gpu_fails_with_the_reason()
    {
        if (Retain.Kernel.Backends.Cuda.CudaInspection.Run().Usable) return; // this machine can run it: nothing to refuse

        var (code, output, error) = TestBuild.Cli(["bench", "--suite", "gpu", "--json"]);

        code.ShouldBe(1);
        output.ShouldBeEmpty();
        error.ShouldStartWith("error: the gpu suite needs a CUDA GPU, and this machine has none that Retain can use: ");
        error.ShouldContain("retain doctor");
        error.ShouldNotContain("   at ");
    }

    [Theory]
    // gpu-and-performance.md §5, computed independently: 6·N + 12·L·d_attn·T at T = 2048.
    [InlineData(896, 24, 14, 2, 4864, 3.5, 494_032_768)]
    [InlineData(1536, 28, 12, 2, 8960, 10.3, 1_543_714_304)]
    public void Training_flops_per_token_follow_the_stated_formula_for_the_real_qwen_configs(int hidden, int layers, int heads, int kvHeads, int intermediate,
        double referenceGflops, long publishedParameters)
    {
        var config = Retain.Kernel.Models.ModelConfig.Parse(BenchSuites.QwenConfig(hidden, layers, heads, kvHeads, intermediate), "test");

        config.ParameterCount.ShouldBe(publishedParameters); // Hugging Face's count for Qwen2.5-0.5B / 1.5B
        (TrainingFlops.PerToken(config, 2048) / 1e9).ShouldBe(referenceGflops, tolerance: 0.05);
        TrainingFlops.PeakBf16("NVIDIA H100 80GB HBM3").ShouldBe(989.4e12);
        TrainingFlops.PeakBf16("NVIDIA A10").ShouldBeNull();
    }

    [Fact]
    public void A_side_that_prints_no_result_is_named_in_the_error()
    {
        Should.Throw<FormatException>(() => CaseMeasurement.Parse("Traceback ...\nKilled\n", "the PyTorch peer"))
            .Message.ShouldBe("the PyTorch peer printed no JSON result.");
        Should.Throw<FormatException>(() => CaseMeasurement.Parse("{\"tokens\": 3}", "the PyTorch peer"))
            .Message.ShouldStartWith("the PyTorch peer printed a result that could not be read");
    }

    [Fact]
    public void The_peer_scripts_json_is_read_with_its_torch_version_as_detail()
    {
        var measured = CaseMeasurement.Parse(
            """{"phase": "train", "tokens": 256, "tokens_per_s": 512.0, "seconds": {"median": 0.5, "min": 0.4, "max": 0.9, "count": 3}, "peak_rss_mb": 250.5, "parameters": 260000, "weights": "checkpoint", "threads": 2, "torch_version": "1.13.0"}""",
            "the PyTorch peer");

        measured.TokensPerSecond.ShouldBe(512.0);
        measured.Seconds.Max.ShouldBe(0.9);
        measured.PeakRssMb.ShouldBe(250.5);
        measured.AllocatedBytesPerRun.ShouldBeNull();
        measured.Detail.ShouldBe("torch 1.13.0, 2 threads, weights: checkpoint");
    }
}
