using ClawSec.Core.Threats;
using ClawSec.Proxy.Hosting;

namespace ClawSec.Cli.Commands;

/// <summary>Opens <c>threats.jsonl</c> for the read-only commands; a missing log reads as empty.</summary>
internal static class ThreatLog
{
    public static IReadOnlyList<string> Newest(string logDir, int limit, TextWriter stderr)
    {
        using var stream = Open(logDir);
        return stream is null || limit <= 0 ? [] : ThreatLogReader.ReadNewest(stream, limit, w => stderr.WriteLine("clawsec: warning: " + w));
    }

    public static IReadOnlyDictionary<string, long> Counts(string logDir)
    {
        using var stream = Open(logDir);
        return stream is null ? new Dictionary<string, long>() : ThreatLogReader.CountByType(stream);
    }

    private static FileStream? Open(string logDir)
    {
        try
        {
            return new FileStream(Path.Combine(logDir, MonitorHost.ThreatLogFileName), FileMode.Open, FileAccess.Read,
                FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
