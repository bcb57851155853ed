using System.Text;

namespace ClawSec.Core.Tests.Threats;

/// <summary>Builds threat log contents for tests.</summary>
internal static class ThreatLog
{
    public static string Record(int id, string threatType = "EXFIL", int snippetLength = 20) =>
        $$"""{"direction":"outbound","protocol":"https","threat_type":"{{threatType}}","pattern":"ai_api_key","snippet":"{{new string('s', snippetLength)}}","source":"127.0.0.1","dest":"paste.example.net:443","timestamp":"2026-02-19T13:41:59+00:00","id":{{id}}}""";

    public static MemoryStream Stream(string text) => new(Encoding.UTF8.GetBytes(text), writable: false);

    public static MemoryStream Lines(params string[] lines) => Stream(string.Concat(lines.Select(l => l + "\n")));
}
