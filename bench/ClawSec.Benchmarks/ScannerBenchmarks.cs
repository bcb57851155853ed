using BenchmarkDotNet.Attributes;
using ClawSec.Core.Detection;

namespace ClawSec.Benchmarks;

/// <summary>
/// Scan throughput of the streaming scanner over realistic LLM-API JSON with no secrets, fed in 16 KiB chunks as
/// the proxy feeds it. Throughput = <see cref="Size"/> / mean time.
/// </summary>
[MemoryDiagnoser]
public class ScannerBenchmarks
{
    private const int Chunk = 16 * 1024;
    private byte[] _traffic = [];
    private Scanner _scanner = null!;

    [Params(64 * 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _traffic = LlmTraffic.Generate(Size);
        _scanner = new Scanner(RulePack.Default);
    }

    [Benchmark(Description = "default pack")]
    public int DefaultPack() => Scan(_scanner);

    private int Scan(Scanner scanner)
    {
        var findings = new List<Finding>();
        var stream = scanner.CreateStream(Direction.Outbound, long.MaxValue);
        for (var at = 0; at < _traffic.Length; at += Chunk)
        {
            stream.Append(_traffic.AsSpan(at, Math.Min(Chunk, _traffic.Length - at)), findings);
        }

        stream.Complete(findings);
        return findings.Count;
    }
}
