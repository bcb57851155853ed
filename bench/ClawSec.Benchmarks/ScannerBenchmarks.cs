using BenchmarkDotNet.Attributes;
using ClawSec.Core.Detection;

namespace ClawSec.Benchmarks;

/// <summary>
/// Scan throughput of the streaming scanner over 64 MiB of LLM-API JSON with no secrets, fed in 16 KiB chunks as the
/// proxy feeds it: the built-in pack, and the built-in pack with gitleaks' default rules imported; realistic agent
/// traffic (<see cref="LlmTraffic"/>) and a worst case for the keyword prefilter (<see cref="KeywordDenseTraffic"/>).
/// Throughput = <see cref="Size"/> / mean time.
/// </summary>
[MemoryDiagnoser]
public class ScannerBenchmarks
{
    private const int Chunk = 16 * 1024;
    private byte[] _traffic = [];
    private Scanner _scanner = null!;

    [Params(64 * 1024 * 1024)]
    public int Size { get; set; }

    [Params("realistic", "keyword-dense")]
    public string Traffic { get; set; } = "realistic";

    [Params("default", "default+gitleaks")]
    public string Pack { get; set; } = "default";

    [GlobalSetup]
    public void Setup()
    {
        _traffic = Traffic == "realistic" ? LlmTraffic.Generate(Size) : KeywordDenseTraffic.Generate(Size);
        _scanner = new Scanner(Pack == "default" ? RulePack.Default : new RulePack(RulePack.Default.Rules.Concat(GitleaksRules())));
    }

    [Benchmark(Description = "scan")]
    public int Scan()
    {
        var findings = new List<Finding>();
        var stream = _scanner.CreateStream(Direction.Outbound, long.MaxValue);
        for (var at = 0; at < _traffic.Length; at += Chunk)
        {
            stream.Append(_traffic.AsSpan(at, Math.Min(Chunk, _traffic.Length - at)), findings);
        }

        stream.Complete(findings);
        return findings.Count;
    }

    /// <summary>gitleaks' default configuration from shared/rules beside the repository, or CLAWSEC_SHARED_DIR.</summary>
    private static IReadOnlyList<Rule> GitleaksRules()
    {
        var shared = Environment.GetEnvironmentVariable("CLAWSEC_SHARED_DIR") is { Length: > 0 } dir ? dir : Path.Combine(RepositoryRoot(), "..", "shared");
        return GitleaksImporter.Load(File.ReadAllText(Path.Combine(shared, "rules", "gitleaks.toml"))).Rules;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClawSec.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No ClawSec.slnx above {AppContext.BaseDirectory}.");
    }
}
