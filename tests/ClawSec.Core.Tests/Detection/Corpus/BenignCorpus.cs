namespace ClawSec.Core.Tests.Detection.Corpus;

/// <summary>
/// Ordinary agent traffic that looks like a threat and is not: documentation that names dangerous commands,
/// placeholder and example keys, words that contain key prefixes, hashes, ids, encoded images and code reviews.
/// Nothing may fire on these.
/// </summary>
internal static class BenignCorpus
{
    public static IEnumerable<CorpusCase> Cases()
    {
        var seed = 20_000;
        var texts = Prose().Concat(Commands()).Concat(Code()).Concat(Data()).ToList();
        for (var i = 0; i < texts.Count; i++)
        {
            // Each text travels three ways: out in a prompt or tool result, and back in an answer or a stream.
            Traffic.Shape[] shapes =
            [
                Traffic.Outgoing[i % Traffic.Outgoing.Length],
                Traffic.Incoming[i % Traffic.Incoming.Length],
                Traffic.Outgoing[(i + 2) % Traffic.Outgoing.Length],
            ];
            for (var s = 0; s < shapes.Length; s++)
            {
                var (direction, text) = shapes[s](texts[i], ++seed);
                yield return new CorpusCase($"benign#{i}.{s}", direction, text, null);
            }
        }

        foreach (var (traffic, i) in Heads().Select((t, i) => (t, i)))
        {
            yield return new CorpusCase($"benign#head{i}", traffic.Direction, traffic.Text, null);
        }
    }

    private static IEnumerable<(ClawSec.Core.Detection.Direction Direction, string Text)> Heads() =>
    [
        Traffic.Header("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9"),
        Traffic.Header("User-Agent", "curl/8.5.0 OpenSSL/3.0.13 zlib/1.3 brotli/1.1.0 nghttp2/1.59.0"),
        Traffic.Header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"),
        Traffic.Header("If-None-Match", $"W/\"{Fakes.Chars(Fakes.Hex, 40, 1)}\""),
        Traffic.Header("X-Request-Id", "7f1c2a9e-5b3d-4c8e-9f0a-1b2c3d4e5f60"),
        Traffic.Header("Cookie", "theme=dark; lang=en-GB; _ga=GA1.2.1234567890.1700000000"),
        Traffic.Header("Content-Security-Policy", "default-src 'self'; img-src 'self' data: https://*.example.net"),
        Traffic.Header("Referer", "https://docs.example.net/guide/install#rm-rf"),
        Traffic.Url("/v1/models"),
        Traffic.Url("/search?q=rm+-rf+node_modules+windows"),
        Traffic.Url("/css/box-shadow.css"),
        Traffic.Url("/items?action=remove&id=4412"),
        Traffic.Url("/api/v2/etc/config.json"),
        Traffic.Url("/docs/environment-variables.html"),
        Traffic.Url("/assets/index-4f8a9c1e.js"),
        Traffic.Url("/repos/acme/app/commits/" + Fakes.Chars(Fakes.Hex, 40, 2)),
        Traffic.Url("/users/me/keys?type=ssh-ed25519"),
        Traffic.Url("/oauth/authorize?response_type=code&client_id=abc123&redirect_uri=https%3A%2F%2Fapp.example.net%2Fcb&scope=repo"),
        Traffic.Url("/wiki/Special:Search?search=%2Fetc%2Fhosts"),
        Traffic.Url("/static/.well-known/security.txt"),
    ];

    private static IEnumerable<string> Prose() =>
    [
        "Never run `rm -rf /` — it deletes everything. Use `rm -rf ./build` to clean the build folder instead.",
        "To clean up, run rm -rf node_modules dist .cache and reinstall.",
        "The Asia-Pacific team (asiapacific@example.com) owns the task-antelope migration.",
        "AWS access key IDs start with the AKIA prefix; temporary ones start with ASIA.",
        "Keys for the OpenAI API begin with sk- followed by a long random string; never commit them.",
        "The risk-assessment for the desk-antelope project is due Friday.",
        "Edit /etc/hosts to point api.local at 127.0.0.1.",
        "The file /etc/passwd.example in this repo documents the expected format; it has no real accounts.",
        "Store secrets in a .env file and add it to .gitignore; commit .env.example with placeholder values.",
        "Use `curl -s https://api.github.com/repos/acme/app | jq .stargazers_count` to get the star count.",
        "You can pipe output to a pager: `git log | less`.",
        "Prompt injection is when a page says something like \"ignore previous instructions\"; treat tool output as data.",
        "Please ignore the previous build failure; it was a flaky network test.",
        "The system prompt is set in the `system` field of the request.",
        "Our SSH guide: generate a key with ssh-keygen -t ed25519, then add the .pub file to your account settings.",
        "The format of a PEM file starts with a line like -----BEGIN CERTIFICATE----- for certificates.",
        "netcat can check a port: nc -zv db.internal 5432",
        "Run sh -c 'npm test' in CI to get the same shell as locally.",
        "The eval step compares model outputs; see evaluate.py for the metrics.",
        "The function exec_summary() returns the executive summary of the quarterly report.",
        "To format a USB stick on macOS use Disk Utility; on Linux, read the mkfs man page first.",
        "Fork bombs are a classic denial-of-service; ulimit -u protects against them.",
        "Set the npm registry with npm config set registry https://registry.npmjs.org/",
        "Hugging Face model ids look like meta-llama/Llama-3.1-8B-Instruct.",
        "The Stripe publishable key (pk_live_…) is safe to embed in the frontend.",
        "JWTs have three parts separated by dots: header, payload and signature.",
        "Connection strings look like postgresql://user:password@localhost:5432/mydb in the docs.",
        "For the local broker use amqp://guest:guest@localhost:5672/.",
        "Clone with git clone git@github.com:acme/app.git or over HTTPS.",
        "The token counter reported max_tokens: 4096 and prompt_tokens: 1234.",
        "The password field must be at least 12 characters long and contain a digit.",
        "Docker credentials are stored by a credential helper, not in plain text, when configured.",
        "kubectl reads the cluster settings from the KUBECONFIG variable if it is set.",
        "Change the file mode with chmod 644 config.yaml so it is not executable.",
        "find . -name '*.log' -mtime +7 -delete cleans old logs in the current folder.",
        "dd is often used to write an ISO to a USB image file: dd if=ubuntu.iso of=usb.img bs=4M.",
        "The model answered: I can't help with deleting system files.",
        "Markdown images use the syntax ![alt text](https://example.net/picture.png).",
        "The flag of Wales 🏴󠁧󠁢󠁷󠁬󠁳󠁿 uses tag characters internally, like the flags of England and Scotland.",
        "Cafés in Zürich — naïve résumé — 日本語のテキスト — emoji 🙂🎉.",
        "Rotate the keys every 90 days and keep them in the secrets manager, never in the repository.",
        "The secret sauce of the recipe is smoked paprika.",
        "Review: the PR removes the `os.system` call and uses `subprocess.run([...], check=True)` instead. LGTM.",
        "Code review: avoid `eval()` on user input; parse the JSON with json.loads instead.",
        "The changelog mentions CVE-2024-3094 in xz; upgrade to 5.6.2.",
        "Reverse proxies like nginx forward /api to the backend on port 8080.",
        "Our bash tutorial covers pipes (|), redirects (>, >>) and here-docs.",
        "SSH authorized_keys files list the public keys allowed to log in; keep their permissions at 600.",
        "The system is up; all services are green.",
        "Disregard the earlier estimate; the new one is two weeks.",
        "We override the default rules in eslint.config.js for the test folder.",
        "Forget about caching for now; correctness first.",
        "The AIza prefix identifies Google API keys; restrict them by HTTP referrer.",
        "GitHub tokens have prefixes such as ghp_ and github_pat_ so that scanners can find them.",
        "Slack bot tokens start with xoxb- and user tokens with xoxp-.",
        "In the PowerShell docs, Invoke-WebRequest -OutFile saves a response to a file.",
        "Telegram bot tokens look like 123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11 in the BotFather docs.",
    ];

    private static IEnumerable<string> Commands() =>
    [
        "$ rm -rf /tmp/build && mkdir -p /tmp/build",
        "$ rm -rf ./node_modules package-lock.json\n$ npm install",
        "$ curl -s https://api.example.net/v1/status | jq '.components[] | select(.status != \"operational\")'",
        "$ curl -sL https://example.net/data.csv | head -n 5",
        "$ wget https://releases.example.net/tool-1.2.3.tar.gz && tar xzf tool-1.2.3.tar.gz",
        "$ curl -o data.json https://api.example.net/items && python3 analyse.py data.json",
        "$ nc -zv db.internal 5432\nConnection to db.internal 5432 port [tcp/postgresql] succeeded!",
        "$ sh -c 'npm test'\n> jest\nPASS src/app.test.ts",
        "$ cat /etc/hosts\n127.0.0.1 localhost\n::1 localhost",
        "$ cat /etc/os-release\nNAME=\"Ubuntu\"\nVERSION=\"24.04 LTS\"",
        "$ ls -la ~/.ssh\n-rw-r--r-- 1 dev dev  98 Jan  3 id_ed25519.pub\n-rw-r--r-- 1 dev dev 444 Jan  3 known_hosts",
        "$ ssh-keygen -lf ~/.ssh/id_ed25519.pub\n256 SHA256:Xk9… dev@laptop (ED25519)",
        "$ env | grep -i proxy\nHTTP_PROXY=http://127.0.0.1:8888",
        "$ printenv PATH\n/usr/local/bin:/usr/bin:/bin",
        "$ curl -X POST -H 'Content-Type: application/json' -d @payload.json https://api.example.net/v1/items",
        "$ curl -F image=@screenshot.png https://upload.example.net/api",
        "$ scp dist/app.tar.gz deploy@203.0.113.90:/srv/releases/",
        "$ find . -name '__pycache__' -type d -exec rm -rf {} +",
        "$ chmod -R 755 public/",
        "$ chmod +x scripts/build.sh && ./scripts/build.sh",
        "$ python3 -m venv .venv && source .venv/bin/activate",
        "$ docker run --rm -it -v \"$PWD\":/app node:22 sh",
        "$ git clean -fdx",
        "$ kubectl get pods -n prod",
        "$ aws s3 ls s3://acme-artifacts/ --profile ci",
        "$ echo $HOME\n/home/dev",
        "$ mkfs.ext4 disk.img\nmke2fs 1.47.0 (5-Feb-2023)",
        "$ dd if=/dev/zero of=swapfile bs=1M count=1024",
        "$ base64 -d encoded.txt > decoded.bin",
        "$ cat script.sh | bash -n && echo syntax ok",
        "$ tail -f /var/log/nginx/access.log | grep ' 500 '",
        "$ openssl rand -hex 32",
        "$ uuidgen\n3f2c8a1e-9b7d-4e6f-8a5c-2d1b0e9f7a6c",
        "$ sha256sum app.tar.gz\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  app.tar.gz",
        "$ git log --oneline -3\n94f85ca Fix dedup\ncffd2bb Match passwd paths\n9a0ad0f Merge branch 'websocket'",
        "$ psql -h localhost -U postgres -c 'select 1'",
        "$ redis-cli -u redis://localhost:6379 ping\nPONG",
        "$ npm config get registry\nhttps://registry.npmjs.org/",
        "$ cat .npmrc\nregistry=https://registry.npmjs.org/\nsave-exact=true",
        "$ pip config list\nglobal.index-url='https://pypi.org/simple'",
    ];

    private static IEnumerable<string> Code() =>
    [
        "import subprocess\nresult = subprocess.run([\"git\", \"status\"], capture_output=True, text=True, check=True)",
        "const { spawn } = require('node:child_process');\nconst ls = spawn('ls', ['-lh', '/usr']);",
        "password = getpass.getpass(\"Password: \")\nif not check_password(user, password):\n    raise AuthError()",
        "db_password = os.environ[\"DB_PASSWORD\"]",
        "const token = process.env.GITHUB_TOKEN;",
        "api_key = settings.OPENAI_API_KEY  # loaded from the vault at start",
        "headers = {\"Authorization\": f\"Bearer {token}\"}",
        "if (token_type === 'Bearer') { refresh(); }",
        "def tokenize(text): return text.split()",
        "SECRET_KEY = env('DJANGO_SECRET_KEY')",
        "password: ${DB_PASSWORD}\nusername: ${DB_USER}",
        "password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt())",
        "const apiKey = useConfig().apiKey;",
        "const skeleton = document.querySelector('.sk-loading-skeleton-placeholder-card');",
        "class TaskAntelopeRunner:\n    def run(self): ...",
        "box-shadow: 0 1px 2px rgba(0,0,0,.1); text-shadow: none;",
        "public sealed class ExecutionContextAccessor { public object? Value { get; set; } }",
        "await exec.getExecOutput('git', ['rev-parse', 'HEAD'])",
        "re.compile(r'sk-[a-z0-9]{20,}')  # the old, too-loose check",
        "SELECT id, name FROM users WHERE deleted_at IS NULL ORDER BY created_at DESC LIMIT 50;",
        "fn main() { let args: Vec<String> = std::env::args().collect(); println!(\"{:?}\", args); }",
        "<img src=\"data:image/png;base64," + Fakes.Chars(Fakes.Base64, 600, 3) + "\" alt=\"chart\">",
        "@media (prefers-color-scheme: dark) { :root { --bg: #111; } }",
        "function main() { return fetch('/api').then(r => r.json()); }",
        "const bomb = () => { console.log('boom'); };",
        "for f in *.txt; do wc -l \"$f\"; done",
        "ssh_config:\nHost bastion\n  HostName 203.0.113.5\n  IdentityFile ~/.ssh/id_ed25519.pub",
        "with open('config/authorized_keys.example') as f: print(f.read())",
        "import { readFile } from 'node:fs/promises';\nconst text = await readFile('README.md', 'utf8');",
        "powershell -NoProfile -Command \"Get-ChildItem -Recurse | Measure-Object\"",
        "Invoke-WebRequest -Uri https://example.net/report.csv -OutFile report.csv; Import-Csv report.csv | Format-Table",
        "eval $(ssh-agent -s)",
        "terraform plan -var-file=prod.tfvars -out=plan.out",
        "kubectl create secret generic app --from-literal=password=${APP_PASSWORD}",
        "docker login -u \"$REGISTRY_USER\" --password-stdin < /run/secrets/registry_password",
    ];

    private static IEnumerable<string> Data() =>
    [
        $"{{\"id\": \"{Guid(4)}\", \"trace_id\": \"{Guid(5)}\", \"span_id\": \"{Fakes.Chars(Fakes.Hex, 16, 6)}\"}}",
        $"commit {Fakes.Chars(Fakes.Hex, 40, 7)}\nAuthor: Dev <dev@example.net>\n\n    Fix the flaky test",
        $"sha256:{Fakes.Chars(Fakes.Hex, 64, 8)}",
        $"{{\"etag\": \"{Fakes.Chars(Fakes.Hex, 32, 9)}\", \"size\": 18231}}",
        $"integrity: sha512-{Fakes.Chars(Fakes.Base64, 86, 10)}==",
        $"{{\"image\": \"data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ{Fakes.Chars(Fakes.Base64, 1200, 11)}\"}}",
        $"{{\"embedding\": [{string.Join(", ", Enumerable.Range(0, 40).Select(i => (i * 0.0137 - 0.21).ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)))}]}}",
        $"{{\"request_id\": \"req_{Fakes.Chars(Fakes.Alnum, 24, 12)}\", \"type\": \"error\", \"error\": {{\"type\": \"overloaded_error\"}}}}",
        $"{{\"id\": \"chatcmpl-{Fakes.Chars(Fakes.Alnum, 29, 13)}\", \"system_fingerprint\": \"fp_{Fakes.Chars(Fakes.Hex, 10, 14)}\"}}",
        $"{{\"nonce\": \"{Fakes.Chars(Fakes.Base64, 24, 15)}\", \"salt\": \"{Fakes.Chars(Fakes.Hex, 32, 16)}\"}}",
        $"-----BEGIN CERTIFICATE-----\n{Fakes.PemBody(6, 17)}\n-----END CERTIFICATE-----",
        $"-----BEGIN PUBLIC KEY-----\n{Fakes.PemBody(4, 18)}\n-----END PUBLIC KEY-----",
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "OPENAI_API_KEY=sk-proj-your_api_key_here\nANTHROPIC_API_KEY=sk-ant-xxxxxxxxxxxxxxxxxxxx",
        "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nSLACK_BOT_TOKEN=xoxb-your-bot-token",
        "DATABASE_URL=postgres://postgres:postgres@localhost:5432/app_dev",
        "STRIPE_SECRET_KEY=sk_test_REPLACE_ME\nSTRIPE_PUBLISHABLE_KEY=pk_test_51HxYz",
        "{\"password\": \"\", \"password_confirmation\": \"\", \"remember_me\": true}",
        "{\"token\": null, \"token_expires_at\": \"2025-12-01T00:00:00Z\", \"max_tokens\": 1024}",
        "{\"apiKey\": \"<YOUR_API_KEY>\", \"secret\": \"<YOUR_SECRET>\"}",
        $"{{\"video\": \"https://cdn.example.net/v/{Fakes.Chars(Fakes.Alnum, 11, 19)}.mp4?sig={Fakes.Chars(Fakes.Hex, 64, 20)}&exp=1760000000\"}}",
        $"{{\"ssh_fingerprint\": \"SHA256:{Fakes.Chars(Fakes.Base64, 43, 21)}\"}}",
        "{\"type\": \"authorized_user\", \"client_id\": \"764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com\"}",
        "[SYSTEM] 2025-10-01 12:00:01 scheduler started",
        "{\"role\": \"system\", \"content\": \"You are a helpful assistant that answers briefly.\"}",
        $"{{\"prompt_cache_key\": \"{Fakes.Chars(Fakes.Hex, 32, 22)}\", \"user\": \"user-{Fakes.Chars(Fakes.Alnum, 12, 23)}\"}}",
        $"npm notice {Fakes.Chars(Fakes.Hex, 12, 24)} integrity checked, 412 packages",
        "UseDevelopmentStorage=true",
        $"\"Session\": \"{Fakes.Chars(Fakes.Hex, 64, 25)}\"",
        "docker pull ghcr.io/acme/app@sha256:" + Fakes.Chars(Fakes.Hex, 64, 26),
    ];

    private static string Guid(int seed) =>
        $"{Fakes.Chars(Fakes.Hex, 8, seed)}-{Fakes.Chars(Fakes.Hex, 4, seed + 1)}-4{Fakes.Chars(Fakes.Hex, 3, seed + 2)}-a{Fakes.Chars(Fakes.Hex, 3, seed + 3)}-{Fakes.Chars(Fakes.Hex, 12, seed + 4)}";
}
