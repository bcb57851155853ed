using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/ClawSec.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(ClawSec.Benchmarks.ScannerBenchmarks).Assembly).Run(args);
