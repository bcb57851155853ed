namespace ClawSec.Core.Detection;

/// <summary>
/// Knows which provider a key belongs to, so that an agent sending its own provider key to that provider
/// (the agent working normally) is not reported.
/// </summary>
public static class ProviderKeys
{
    public static bool IsKeyForHost(string key, string host) =>
        key.StartsWith("sk-ant-", StringComparison.Ordinal) && IsHostOrSubdomain(host, "anthropic.com");

    private static bool IsHostOrSubdomain(string host, string domain) =>
        host.Equals(domain, StringComparison.OrdinalIgnoreCase)
        || host.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase);
}
