using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Retain.Kernel.Benchmarks;

// dotnet run -c Release --project tests/Retain.Kernel.Benchmarks [-- --filter '*' --job short]
var config = DefaultConfig.Instance.AddColumn(new GflopsColumn(), StatisticColumn.Min, StatisticColumn.Median);
BenchmarkSwitcher.FromAssembly(typeof(GemmBenchmarks).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args, config);
