using ClawSec.Cli.Configuration;
using ClawSec.Core.Configuration;

namespace ClawSec.Cli.Commands;

/// <summary><c>clawsec threats [--limit N]</c>: a JSON array of the newest threats, newest first, alone on stdout.</summary>
internal static class ThreatsCommand
{
    public static int Run(string? configPath, int limit, TextWriter stdout, TextWriter stderr)
    {
        if (limit < 0)
        {
            stderr.WriteLine("clawsec: --limit must be 0 or more");
            return ExitCodes.Usage;
        }

        ClawSecConfig config;
        try
        {
            config = ConfigSource.Load(configPath, stderr);
        }
        catch (ConfigException ex)
        {
            stderr.WriteLine("clawsec: config error: " + ex.Message);
            return ExitCodes.Usage;
        }

        var lines = ThreatLog.Newest(config.LogDir, limit, stderr);
        if (lines.Count == 0)
        {
            stdout.WriteLine("[]");
            return ExitCodes.Ok;
        }

        stdout.WriteLine("[");
        for (var i = 0; i < lines.Count; i++)
        {
            stdout.Write("  ");
            stdout.Write(lines[i]);
            stdout.WriteLine(i + 1 < lines.Count ? "," : "");
        }

        stdout.WriteLine("]");
        return ExitCodes.Ok;
    }
}
