namespace ClawSec.Core.Detection;

/// <summary>
/// Knows which provider a key belongs to, so that an agent sending its own provider key to that provider
/// (the agent working normally) is not reported: AI providers' keys, and the tokens of services agents use with
/// them (GitHub, GitLab, Slack, Stripe, Hugging Face, npm, PyPI, SendGrid, AWS access key ids, Google API keys).
/// </summary>
public static class ProviderKeys
{
    /// <summary>
    /// True when <paramref name="key"/> is a key of the provider that runs <paramref name="host"/>: the provider's
    /// domain itself or a subdomain of it (never a host that merely starts with the domain's name).
    /// </summary>
    public static bool IsKeyForHost(string key, string host) =>
        DomainOf(key) is { } domain && IsHostOrSubdomain(NormalizeHost(host), domain);

    // Issuers of service tokens, by the token's prefix: the token authenticates the agent to that service.
    private static readonly (string Prefix, string Domain)[] ServicePrefixes =
    [
        ("github_pat_", "github.com"), ("ghp_", "github.com"), ("gho_", "github.com"), ("ghu_", "github.com"),
        ("ghs_", "github.com"), ("ghr_", "github.com"), ("glpat-", "gitlab.com"), ("gldt-", "gitlab.com"),
        ("glrt-", "gitlab.com"), ("glptt-", "gitlab.com"), ("xoxb-", "slack.com"), ("xoxp-", "slack.com"),
        ("xoxa-", "slack.com"), ("xoxr-", "slack.com"), ("xoxs-", "slack.com"), ("xoxe-", "slack.com"),
        ("xapp-", "slack.com"), ("sk_live_", "stripe.com"), ("sk_test_", "stripe.com"), ("rk_live_", "stripe.com"),
        ("rk_test_", "stripe.com"), ("hf_", "huggingface.co"), ("npm_", "npmjs.org"), ("pypi-", "pypi.org"),
        ("SG.", "sendgrid.com"), ("AKIA", "amazonaws.com"), ("ASIA", "amazonaws.com"), ("AIza", "googleapis.com"),
    ];

    /// <summary>The domain of the provider that issues keys of this shape, or null when it is not known.</summary>
    internal static string? DomainOf(string key)
    {
        var k = key.AsSpan().Trim();
        if (k.StartsWith("sk-ant-", StringComparison.Ordinal))
        {
            return "anthropic.com";
        }

        if (k.StartsWith("sk-or-", StringComparison.Ordinal))
        {
            return "openrouter.ai";
        }

        if (k.StartsWith("sk-proj-", StringComparison.Ordinal)
            || k.StartsWith("sk-svcacct-", StringComparison.Ordinal)
            || k.StartsWith("sk-admin-", StringComparison.Ordinal)
            || (k.StartsWith("sk-", StringComparison.Ordinal) && k.Contains("T3BlbkFJ", StringComparison.Ordinal)))
        {
            return "openai.com";
        }

        if (k.StartsWith("gsk_", StringComparison.Ordinal))
        {
            return "groq.com";
        }

        if (k.StartsWith("xai-", StringComparison.Ordinal))
        {
            return "x.ai";
        }

        foreach (var (prefix, domain) in ServicePrefixes)
        {
            if (k.StartsWith(prefix, StringComparison.Ordinal))
            {
                return domain;
            }
        }

        return null;
    }

    // Accepts "host", "host:port", "[v6]:port" and a fully qualified "host."; compares ignoring case.
    private static string NormalizeHost(string host)
    {
        var h = host.Trim();
        if (h.StartsWith('['))
        {
            return h;
        }

        var colon = h.LastIndexOf(':');
        if (colon >= 0 && h.IndexOf(':') == colon)
        {
            h = h[..colon];
        }

        return h.TrimEnd('.');
    }

    private static bool IsHostOrSubdomain(string host, string domain) =>
        host.Equals(domain, StringComparison.OrdinalIgnoreCase)
        || (host.Length > domain.Length + 1
            && host.EndsWith(domain, StringComparison.OrdinalIgnoreCase)
            && host[host.Length - domain.Length - 1] == '.');
}
