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
        seconds.GetProperty("samples").EnumerateArray().Select(x => x.GetDouble()).Min().ShouldBe(seconds.GetProperty("min").GetDouble());

        // The machine's limits and the training case's lower bound from them.
        var limits = json.RootElement.GetProperty("limits");
        limits.GetProperty("peak_fma_gflops").GetDouble().ShouldBeGreaterThan(0);
        limits.GetProperty("best_gemm_gflops").GetDouble().ShouldBeGreaterThan(0);
        limits.GetProperty("triad_gb_per_s").GetDouble().ShouldBeGreaterThan(0);
        double bound = result.GetProperty("lower_bound_seconds").GetDouble();
        var parts = result.GetProperty("lower_bound_parts_seconds");
        (parts.GetProperty("matmul").GetDouble() + parts.GetProperty("attention").GetDouble() + parts.GetProperty("optimizer").GetDouble()
            + parts.GetProperty("elementwise").GetDouble()).ShouldBe(bound, tolerance: bound * 1e-9);
        result.GetProperty("fraction_of_limit").GetDouble().ShouldBe(bound / seconds.GetProperty("median").GetDouble(), tolerance: 1e-9);

        if (machine.GetProperty("pytorch").GetString()!.StartsWith("torch", StringComparison.Ordinal))
        {
            double torch = result.GetProperty("pytorch_tokens_per_s").GetDouble();
            result.GetProperty("ratio").GetDouble().ShouldBe(retain / torch, tolerance: 1e-9);
            result.GetProperty("ratio_of_medians").GetDouble().ShouldBe(retain / torch, tolerance: 1e-9);
            result.GetProperty("ratio_of_mins").GetDouble().ShouldBe(
                result.GetProperty("pytorch_seconds").GetProperty("min").GetDouble() / seconds.GetProperty("min").GetDouble(), tolerance: 1e-9);
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

    [Theory]
    [InlineData(10, 3, new[] { 4, 3, 3 })]
    [InlineData(2, 3, new[] { 1, 1 })]
    [InlineData(5, 1, new[] { 5 })]
    public void Interleaved_chunks_split_the_timed_runs_exactly(int repeat, int chunks, int[] expected)
        => BenchRunner.ChunkRepeats(repeat, chunks).ShouldBe(expected);

    [Fact]
    public void Pooled_chunks_report_the_median_and_min_of_all_runs()
    {
        static CaseMeasurement Part(double[] runs, double peak) => new(256, 0, Retain.Kernel.Diagnostics.TimingSamples.From(runs), peak, 1000, 0, "cpu");
        var merged = CaseMeasurement.Merge([Part([0.5, 0.3], 10), Part([0.9, 0.4, 0.2], 12)]);

        merged.Seconds.Count.ShouldBe(5);
        merged.Seconds.Min.ShouldBe(0.2);
        merged.Seconds.Median.ShouldBe(0.4);
        merged.Seconds.Max.ShouldBe(0.9);
        merged.TokensPerSecond.ShouldBe(256 / 0.4);
        merged.PeakRssMb.ShouldBe(12);

        // The samples survive the JSON both sides print.
        CaseMeasurement.Parse(merged.ToJsonLine(), "test").Seconds.Samples.ShouldBe([0.2, 0.3, 0.4, 0.5, 0.9]);
    }

    [Fact]
    public void Training_lower_bound_is_gemm_flops_at_the_gemm_rate_plus_memory_traffic_at_the_bandwidth()
    {
        // One layer, d = 8, 2 heads of 4, 1 kv head, SwiGLU 16, vocabulary 32; 2 rows of 4 tokens.
        var config = Retain.Kernel.Models.ModelConfig.Parse(BenchSuites.QwenConfig(8, 1, 2, 1, 16).Replace("151936", "32"), "test");
        var limits = new MachineLimitsResult(1e12, 512, 1e9, 1e9);
        var bound = Roofline.TrainingStep(config, parameters: 1000, rows: 2, length: 4, limits);

        double tokens = 8;
        long matmulParameters = 8 * 8 + 2 * 8 * 4 + 8 * 8 + 3 * 8 * 16 + 8 * 32; // q, k+v, o, gate/up/down, LM head
        bound.MatmulSeconds.ShouldBe(6.0 * matmulParameters * tokens / 1e9, tolerance: 1e-15);
        double softmaxBytes = 4.0 * 1 * 2 * (4 / 2.0) * 5 * tokens;
        bound.AttentionSeconds.ShouldBe(6.0 * 1 * 8 * 4 * tokens / 1e9 + softmaxBytes / 1e9, tolerance: 1e-15);
        bound.OptimizerSeconds.ShouldBe(8 * 4.0 * 1000 / 1e9, tolerance: 1e-15);
        double perLayer = (10 * 8 + 2 * (8 + 4) + 3 * 16) + (12 * 8 + 2 * (8 + 4) + 5 * 16);
        bound.ElementwiseSeconds.ShouldBe(4.0 * tokens * (perLayer + 2 * 32 + 7 * 8) / 1e9, tolerance: 1e-15);
        Roofline.Parts.Sum(p => Roofline.SecondsOf(bound, p)).ShouldBe(bound.TotalSeconds, tolerance: 1e-15);

        // The step's products: three per linear layer (forward A·Bᵀ, input gradient A·B, weight gradient Aᵀ·B), equal
        // ones merged (k and v are both 8 → 4), summing to 6·N·T.
        var products = Roofline.TrainingProducts(config, rows: 2, length: 4);
        products.Sum(p => p.Flops).ShouldBe(6.0 * matmulParameters * tokens, tolerance: 1e-9);
        products.ShouldContain(new GemmProduct(false, true, 8, 4, 8, 2));   // k and v forward: T × kv × d
        products.ShouldContain(new GemmProduct(false, false, 8, 8, 4, 2));  // k and v input gradient: T × d × kv
        products.ShouldContain(new GemmProduct(true, false, 4, 8, 8, 2));   // k and v weight gradient: kv × d × T
        products.ShouldContain(new GemmProduct(false, true, 8, 32, 8, 1));  // LM head forward
        products.Select(p => (p.TransposeA, p.TransposeB, p.M, p.N, p.K)).Distinct().Count().ShouldBe(products.Count);

        // With a rate per product, each product's FLOPs run at its own rate; attention at the fastest of them.
        double Rate(GemmProduct p) => p.N == 32 ? 4e9 : 2e9;
        var shaped = Roofline.TrainingStep(config, parameters: 1000, rows: 2, length: 4, limits, Rate);
        shaped.MatmulSeconds.ShouldBe(products.Sum(p => p.Flops / Rate(p)), tolerance: 1e-15);
        shaped.AttentionSeconds.ShouldBe(6.0 * 1 * 8 * 4 * tokens / 4e9 + softmaxBytes / 1e9, tolerance: 1e-15);
        shaped.OptimizerSeconds.ShouldBe(bound.OptimizerSeconds);
        Roofline.PartOf("LinearBackward").ShouldBe("matmul");
        Roofline.PartOf("AdamWStep").ShouldBe("optimizer");
        Roofline.PartOf("RmsNormForward").ShouldBe("elementwise");
    }
}
