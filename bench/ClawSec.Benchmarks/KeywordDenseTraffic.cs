using System.Text;

namespace ClawSec.Benchmarks;

/// <summary>
/// A worst case for the keyword prefilter: LLM-API JSON without secrets whose prose is drawn from a few dozen words,
/// a quarter of which are words the rules key on (<c>curl</c>, <c>token</c>, <c>secret</c>, <c>shadow</c>), so a
/// keyword occurs every few words. Generated from a fixed seed so every run scans the same bytes.
/// </summary>
public static class KeywordDenseTraffic
{
    private static readonly string[] Words =
    [
        "the", "agent", "reads", "file", "config", "returns", "result", "function", "request", "tokens", "model",
        "assistant", "user", "tool", "call", "arguments", "summary", "deploy", "service", "ensure", "tests", "pass",
        "kubernetes", "bucket", "region", "environment", "variable", "password", "secret", "token", "key", "curl",
        "install", "package", "remove", "shadow", "credentials", "skip", "task", "antelope", "asiapacific",
    ];

    public static byte[] Generate(int bytes, int seed = 42)
    {
        var random = new Random(seed);
        var text = new StringBuilder(bytes + 4096);
        while (text.Length < bytes)
        {
            switch (random.Next(4))
            {
                case 0:
                    text.Append("{\"model\":\"claude-sonnet-4\",\"max_tokens\":1024,\"messages\":[{\"role\":\"user\",\"content\":\"")
                        .Append(Prose(random, 60)).Append("\"}]}\n");
                    break;
                case 1:
                    text.Append("{\"id\":\"msg_").Append(Id(random, 24)).Append("\",\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":\"")
                        .Append(Prose(random, 120)).Append("\"}],\"usage\":{\"input_tokens\":").Append(random.Next(10_000))
                        .Append(",\"output_tokens\":").Append(random.Next(4000)).Append("}}\n");
                    break;
                case 2:
                    text.Append("{\"type\":\"tool_use\",\"id\":\"toolu_").Append(Id(random, 22)).Append("\",\"name\":\"bash\",\"input\":{\"command\":\"ls -la src/")
                        .Append(Words[random.Next(Words.Length)]).Append(" && git status\"}}\n");
                    break;
                default:
                    text.Append("data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"")
                        .Append(Prose(random, 8)).Append("\"}}\n\n");
                    break;
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString(0, bytes));
    }

    private static string Prose(Random random, int words)
    {
        var text = new StringBuilder();
        for (var i = 0; i < words; i++)
        {
            text.Append(Words[random.Next(Words.Length)]).Append(i % 13 == 12 ? ". " : " ");
        }

        return text.ToString();
    }

    private static string Id(Random random, int length)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(length, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[r.Next(Alphabet.Length)];
            }
        });
    }
}
