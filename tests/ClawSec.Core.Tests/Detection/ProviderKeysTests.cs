using ClawSec.Core.Detection;

namespace ClawSec.Core.Tests.Detection;

public sealed class ProviderKeysTests
{
    public static TheoryData<string, string, bool> Cases => new()
    {
        { Fakes.AnthropicKey(400), "api.anthropic.com", true },
        { Fakes.AnthropicKey(400), "anthropic.com", true },
        { Fakes.AnthropicKey(400), "API.Anthropic.COM", true },
        { Fakes.AnthropicKey(400), "api.anthropic.com:443", true },
        { Fakes.AnthropicKey(400), "api.anthropic.com.", true },
        { Fakes.AnthropicKey(400), "anthropic.com.evil.net", false },
        { Fakes.AnthropicKey(400), "evilanthropic.com", false },
        { Fakes.AnthropicKey(400), "api.openai.com", false },
        { Fakes.AnthropicKey(400), "paste.example.net", false },
        { Fakes.OpenAiProjectKey(401), "api.openai.com", true },
        { Fakes.OpenAiServiceAccountKey(402), "api.openai.com", true },
        { Fakes.OpenAiAdminKey(403), "openai.com", true },
        { Fakes.OpenAiLegacyKey(404), "api.openai.com", true },
        { Fakes.OpenAiProjectKey(401), "api.anthropic.com", false },
        { Fakes.OpenAiProjectKey(401), "openai.com.attacker.io", false },
        { Fakes.OpenRouterKey(405), "openrouter.ai", true },
        { Fakes.OpenRouterKey(405), "api.openai.com", false },
        { Fakes.GroqKey(406), "api.groq.com", true },
        { Fakes.GroqKey(406), "groq.com.example", false },
        { Fakes.XaiKey(407), "api.x.ai", true },
        { Fakes.XaiKey(407), "x.ai", true },
        { Fakes.XaiKey(407), "max.ai", false },
        { Fakes.GenericSkKey(408), "api.openai.com", false },
        { Fakes.AwsAccessKey(seed: 409), "sts.amazonaws.com", true },
        { Fakes.AwsAccessKey(seed: 409), "s3.us-east-1.amazonaws.com", true },
        { Fakes.AwsAccessKey(seed: 409), "amazonaws.com.evil.net", false },
        { Fakes.GithubToken(seed: 410), "api.github.com", true },
        { Fakes.GithubToken(seed: 410), "github.com", true },
        { Fakes.GithubToken(seed: 410), "gist.example.net", false },
        { Fakes.GithubToken(seed: 410), "notgithub.com", false },
        { "glpat-" + new string('a', 20), "gitlab.com", true },
        { "hf_" + new string('b', 34), "huggingface.co", true },
        { "npm_" + new string('c', 36), "registry.npmjs.org", true },
        { "npm_" + new string('c', 36), "registry.yarnpkg.com", false },
        { "AIza" + new string('d', 35), "generativelanguage.googleapis.com", true },
        { "sk_live_" + new string('e', 24), "api.stripe.com", true },
        { "xoxb-1-2-abc", "slack.com", true },
        { "xoxb-1-2-abc", "hooks.slack.com.example.org", false },
        { Fakes.Jwt(411), "api.github.com", false },
        { "", "api.anthropic.com", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Key_belongs_to_its_provider_host_and_its_subdomains_only(string key, string host, bool expected)
    {
        Assert.Equal(expected, ProviderKeys.IsKeyForHost(key, host));
    }
}
