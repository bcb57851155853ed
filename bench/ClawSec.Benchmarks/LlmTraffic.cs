using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ClawSec.Benchmarks;

/// <summary>
/// Realistic traffic of a coding agent, without secrets: Anthropic and OpenAI requests (system prompt, tool
/// definitions, history), responses, SSE streams with text and tool-call deltas, and tool results holding source
/// files, test output, listings and logs. Prose is drawn from a few hundred words with a skewed (Zipf-like)
/// frequency, as in real text. Generated from a fixed seed so every run scans the same bytes.
/// </summary>
public static class LlmTraffic
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Most frequent first: a word's chance falls with its rank.
    private static readonly string[] Words =
    (
        "the of and to a in is that for it as with be on this you are not or by from at can have an will file "
        + "which use if function when we your all code one test more also value only new should return used each "
        + "other so than then these into has its but error data type string run first two need like list any "
        + "change time make number set case line call build default output input name path version project "
        + "module class method object update check result example following add server client request response "
        + "package user service config option field state next because after before does where how what there "
        + "without within between both through would could might already still now here just about over under "
        + "below above missing existing current previous simple small large local remote async await promise "
        + "handler route query parameter argument variable array map key index table column row schema model "
        + "message stream event buffer cache queue worker thread process task job timeout retry limit size "
        + "format parse read write open close start stop create delete remove rename move copy merge branch commit "
        + "diff patch review fix bug issue feature refactor rename import export interface struct enum trait "
        + "component props render hook effect context provider store reducer action selector layout style theme "
        + "database migration transaction connection pool driver adapter endpoint header body status code json "
        + "yaml toml markdown docs readme license dependency dependencies install upgrade lockfile registry "
        + "container image volume network port host domain proxy gateway deploy pipeline workflow environment "
        + "staging production release tag artifact coverage benchmark profile memory latency throughput token "
        + "tokens prompt completion assistant tool tools agent session login logout password secret auth "
        + "permission role policy scope certificate signature hash encrypt decrypt random seed curl shell bash "
        + "script terminal command flag argument exit signal kill restart health metrics logging trace span"
    ).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static readonly string[] Commands =
    [
        "ls -la src", "git status", "git diff --stat", "npm test", "pytest -q tests/", "dotnet build -c Release",
        "grep -rn \"TODO\" src/", "cat README.md", "sed -n '1,80p' src/server.ts", "find . -name '*.py' -not -path './.venv/*'",
        "npm install --save-dev vitest", "pip install -r requirements.txt", "docker compose up -d db",
        "git log --oneline -n 20", "cargo test --quiet", "go test ./...", "rm -rf node_modules/.cache",
        "sh -c 'npm test'", "curl -s http://localhost:8080/health", "make lint", "python -m json.tool package.json",
        "kubectl get pods -n staging", "tail -n 50 logs/app.log", "wc -l src/*.ts",
    ];

    private static readonly string[] Sources =
    [
        "def load_config(path: str) -> dict:\n    \"\"\"Read the YAML config and apply defaults.\"\"\"\n    with open(path, encoding=\"utf-8\") as f:\n"
        + "        data = yaml.safe_load(f) or {}\n    data.setdefault(\"timeout\", 30)\n    data.setdefault(\"retries\", 3)\n    return data\n\n\n"
        + "class Cache:\n    def __init__(self, size: int = 128) -> None:\n        self._items: OrderedDict[str, bytes] = OrderedDict()\n"
        + "        self._size = size\n\n    def get(self, key: str) -> bytes | None:\n        value = self._items.pop(key, None)\n"
        + "        if value is not None:\n            self._items[key] = value\n        return value\n",
        "export async function fetchUser(id: string): Promise<User> {\n  const res = await fetch(`/api/users/${id}`, {\n"
        + "    headers: { Accept: \"application/json\" },\n  });\n  if (!res.ok) {\n    throw new Error(`HTTP ${res.status} for user ${id}`);\n  }\n"
        + "  return (await res.json()) as User;\n}\n\nexport function useUsers(ids: string[]) {\n  const [users, setUsers] = useState<User[]>([]);\n"
        + "  useEffect(() => {\n    Promise.all(ids.map(fetchUser)).then(setUsers).catch(console.error);\n  }, [ids]);\n  return users;\n}\n",
        "public sealed class OrderService(IOrderRepository orders, ILogger<OrderService> logger)\n{\n"
        + "    public async Task<Order?> FindAsync(Guid id, CancellationToken cancellationToken)\n    {\n"
        + "        var order = await orders.GetAsync(id, cancellationToken);\n        if (order is null)\n        {\n"
        + "            logger.LogInformation(\"Order {Id} not found\", id);\n        }\n\n        return order;\n    }\n}\n",
        "func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {\n\tctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)\n"
        + "\tdefer cancel()\n\tif err := s.db.PingContext(ctx); err != nil {\n\t\thttp.Error(w, \"database unavailable\", http.StatusServiceUnavailable)\n"
        + "\t\treturn\n\t}\n\tw.Header().Set(\"Content-Type\", \"application/json\")\n\t_ = json.NewEncoder(w).Encode(map[string]string{\"status\": \"ok\"})\n}\n",
        "{\n  \"name\": \"web-app\",\n  \"version\": \"2.4.1\",\n  \"private\": true,\n  \"scripts\": {\n    \"dev\": \"vite\",\n"
        + "    \"build\": \"tsc -b && vite build\",\n    \"test\": \"vitest run\",\n    \"lint\": \"eslint . --max-warnings 0\"\n  },\n"
        + "  \"dependencies\": {\n    \"react\": \"^19.1.0\",\n    \"react-dom\": \"^19.1.0\",\n    \"zod\": \"^3.24.2\"\n  }\n}\n",
        "============================= test session starts ==============================\nplatform linux -- Python 3.11.7, pytest-8.3.4\n"
        + "collected 48 items\n\ntests/test_config.py ........                                          [ 16%]\n"
        + "tests/test_cache.py ............F                                      [ 43%]\ntests/test_api.py ...........................  [100%]\n\n"
        + "=================================== FAILURES ===================================\n___________________________ test_eviction_order ___________________________\n"
        + "    def test_eviction_order():\n        cache = Cache(size=2)\n>       assert cache.get(\"a\") is None\nE       AssertionError: assert b'1' is None\n",
        "total 48\ndrwxr-xr-x  6 dev dev 4096 Nov 20 10:12 .\ndrwxr-xr-x 18 dev dev 4096 Nov 19 08:40 ..\n-rw-r--r--  1 dev dev  812 Nov 20 10:12 README.md\n"
        + "drwxr-xr-x  2 dev dev 4096 Nov 20 09:58 src\n-rw-r--r--  1 dev dev 1432 Nov 18 17:03 package.json\ndrwxr-xr-x  3 dev dev 4096 Nov 20 10:01 tests\n",
        "2026-11-20T10:12:03.412Z INFO  server listening on 0.0.0.0:8080\n2026-11-20T10:12:04.018Z INFO  GET /health 200 1.2ms\n"
        + "2026-11-20T10:12:09.551Z WARN  slow query took 812ms: SELECT id, name FROM users WHERE org_id = $1\n"
        + "2026-11-20T10:12:11.730Z ERROR request failed: connection reset by peer (retrying in 2s)\n",
    ];

    public static byte[] Generate(int bytes, int seed = 7)
    {
        var random = new Random(seed);
        var text = new StringBuilder(bytes + 65536);
        while (text.Length < bytes)
        {
            switch (random.Next(6))
            {
                case 0:
                    text.Append(AnthropicRequest(random));
                    break;
                case 1:
                    text.Append(AnthropicResponse(random));
                    break;
                case 2:
                case 3:
                    AnthropicStream(random, text);
                    break;
                case 4:
                    text.Append(OpenAiRequest(random));
                    break;
                default:
                    text.Append(OpenAiResponse(random));
                    break;
            }

            text.Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString(0, bytes));
    }

    private static string AnthropicRequest(Random random) => JsonSerializer.Serialize(
        new
        {
            model = "claude-sonnet-4-5",
            max_tokens = 8192,
            system = Prose(random, 150),
            tools = new object[]
            {
                new { name = "bash", description = Prose(random, 30), input_schema = new { type = "object", properties = new { command = new { type = "string" } }, required = new[] { "command" } } },
                new { name = "read_file", description = Prose(random, 20), input_schema = new { type = "object", properties = new { path = new { type = "string" } } } },
            },
            messages = new object[]
            {
                new { role = "user", content = Prose(random, 40) },
                new { role = "assistant", content = new object[] { new { type = "tool_use", id = "toolu_" + Id(random, 24), name = "bash", input = new { command = Pick(random, Commands) } } } },
                new { role = "user", content = new object[] { new { type = "tool_result", tool_use_id = "toolu_" + Id(random, 24), content = Pick(random, Sources) } } },
                new { role = "assistant", content = Prose(random, 60) },
                new { role = "user", content = Prose(random, 25) },
            },
        },
        Json);

    private static string AnthropicResponse(Random random) => JsonSerializer.Serialize(
        new
        {
            id = "msg_" + Id(random, 24),
            type = "message",
            role = "assistant",
            model = "claude-sonnet-4-5",
            content = new object[]
            {
                new { type = "text", text = Prose(random, 80) },
                new { type = "tool_use", id = "toolu_" + Id(random, 24), name = "bash", input = new { command = Pick(random, Commands) } },
            },
            stop_reason = "tool_use",
            usage = new { input_tokens = random.Next(50_000), output_tokens = random.Next(4000), cache_read_input_tokens = random.Next(40_000) },
        },
        Json);

    private static void AnthropicStream(Random random, StringBuilder text)
    {
        text.Append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_").Append(Id(random, 24))
            .Append("\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":")
            .Append(random.Next(50_000)).Append(",\"output_tokens\":1}}}\n\n");
        var deltas = 20 + random.Next(60);
        for (var i = 0; i < deltas; i++)
        {
            text.Append("event: content_block_delta\ndata: ")
                .Append(JsonSerializer.Serialize(new { type = "content_block_delta", index = 0, delta = new { type = "text_delta", text = Prose(random, 1 + random.Next(6)) } }, Json))
                .Append("\n\n");
        }

        // A tool call's arguments arrive as pieces of a JSON string.
        var arguments = JsonSerializer.Serialize(new { command = Pick(random, Commands) }, Json);
        for (var at = 0; at < arguments.Length; at += 12)
        {
            text.Append("event: content_block_delta\ndata: ")
                .Append(JsonSerializer.Serialize(new { type = "content_block_delta", index = 1, delta = new { type = "input_json_delta", partial_json = arguments.Substring(at, Math.Min(12, arguments.Length - at)) } }, Json))
                .Append("\n\n");
        }

        text.Append("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":")
            .Append(random.Next(4000)).Append("}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    }

    private static string OpenAiRequest(Random random) => JsonSerializer.Serialize(
        new
        {
            model = "gpt-5",
            stream = false,
            messages = new object[]
            {
                new { role = "system", content = Prose(random, 100) },
                new { role = "user", content = Prose(random, 30) },
                new { role = "assistant", content = (string?)null, tool_calls = new object[] { new { id = "call_" + Id(random, 24), type = "function", function = new { name = "read_file", arguments = JsonSerializer.Serialize(new { path = "src/" + Pick(random, Words) + ".ts" }, Json) } } } },
                new { role = "tool", tool_call_id = "call_" + Id(random, 24), content = Pick(random, Sources) },
            },
            tools = new object[] { new { type = "function", function = new { name = "read_file", description = Prose(random, 15), parameters = new { type = "object", properties = new { path = new { type = "string" } } } } } },
        },
        Json);

    private static string OpenAiResponse(Random random) => JsonSerializer.Serialize(
        new
        {
            id = "chatcmpl-" + Id(random, 29),
            @object = "chat.completion",
            created = 1_764_000_000 + random.Next(1_000_000),
            model = "gpt-5",
            choices = new object[] { new { index = 0, message = new { role = "assistant", content = Prose(random, 90) }, finish_reason = "stop" } },
            usage = new { prompt_tokens = random.Next(20_000), completion_tokens = random.Next(2000), total_tokens = random.Next(22_000) },
        },
        Json);

    private static string Prose(Random random, int words)
    {
        var text = new StringBuilder(words * 7);
        for (var i = 0; i < words; i++)
        {
            // Rank ~ n·u³: the first words are far more frequent than the last, as in real text.
            var u = random.NextDouble();
            var word = Words[(int)(Words.Length * u * u * u)];
            text.Append(i % 14 == 0 && word.Length > 0 ? char.ToUpperInvariant(word[0]) + word[1..] : word);
            text.Append(i % 14 == 13 ? ". " : random.Next(25) == 0 ? ", " : " ");
        }

        return text.ToString();
    }

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];

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
