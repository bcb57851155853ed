using System.Buffers.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClawSec.Core.Detection;

/// <summary>
/// Secrets in the formats their issuers document. These rules look at outbound traffic only: a token in a response
/// is mostly documentation or the service's own (a login response), and it is the agent sending one away that
/// leaks it. <c>credential_file</c> is the exception, like the paths of the original rules: a response telling the
/// agent to read <c>~/.netrc</c> is as notable as a request carrying it.
/// </summary>
internal static partial class DefaultRules
{
    // The group that holds the secret; with ExplicitCapture it is the first and only numbered group.
    private const int SecretGroupNumber = 1;

    // A quoted or bare name, then =, :, := or =>, then an optional quote (raw or JSON-escaped).
    private const string Assign = @"(?:\\?[""'])?[ \t]{0,4}(?:=>|:=|=|:)[ \t]{0,4}(?:\\?[""'])?";

    // Values that are known stand-ins in URLs and connection strings: <password>, ${DB_PASS}, {{pass}}, %s, and the
    // usual words of documentation and of local development defaults.
    private const string CredentialPlaceholder =
        @"^(?:<[^>]*>|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\{\{[^}]*\}\}|%s|\*+|x+|"
        + "(?i:pass(?:word|wd)?|secret|changeme|change_me|pwd|test|dummy|redacted|token|root|admin|postgres|guest|"
        + "mysql|mongo|redis|rabbitmq|user|username|hunter2|foo|bar|mypassword|my_password|yourpassword|your_password))$";

    private static IEnumerable<Rule> CreateSecretRules() =>
    [
        new Rule
        {
            Name = "aws_secret_key",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.Critical,
            AppliesTo = Directions.Outbound,
            Description = "An AWS secret access key given to an aws_secret_access_key-style name (outbound only).",
            Regex = AwsSecretKey,
            Anchored = AwsSecretKeyAnchored,
            Keywords = ["secret"],
            IsSecret = true,
            SecretGroup = SecretGroupNumber,
            MinEntropy = 3.5,
            MaxMatchLength = 128,
            MaxKeywordOffset = 4,
        },
        new Rule
        {
            Name = "github_token",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.Critical,
            AppliesTo = Directions.Outbound,
            Description = "A GitHub token: personal, OAuth, user-to-server, server-to-server, refresh or fine-grained (outbound only).",
            Regex = GithubToken,
            Anchored = GithubTokenAnchored,
            Keywords = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
            IsSecret = true,
            MinEntropy = 3.0,
            MaxMatchLength = 128,
            MaxKeywordOffset = 0,
        },
        new Rule
        {
            Name = "gitlab_token",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.Critical,
            AppliesTo = Directions.Outbound,
            Description = "A GitLab personal, deploy, runner or trigger token (outbound only).",
            Regex = GitlabToken,
            Anchored = GitlabTokenAnchored,
            Keywords = ["glpat-", "gldt-", "glrt-", "glptt-"],
            IsSecret = true,
            MinEntropy = 3.0,
            MaxMatchLength = 128,
            MaxKeywordOffset = 0,
        },
        new Rule
        {
            Name = "slack_token",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.High,
            AppliesTo = Directions.Outbound,
            Description = "A Slack bot, user, app or refresh token (outbound only).",
            Regex = SlackToken,
            Anchored = SlackTokenAnchored,
            Keywords = ["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-", "xoxe", "xapp-"],
            IsSecret = true,
            MaxMatchLength = 256,
            MaxKeywordOffset = 5,
        },
        new Rule
        {
            Name = "slack_webhook",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.High,
            AppliesTo = Directions.Outbound,
            Description = "A Slack incoming-webhook or workflow URL, which anyone holding it can post with (outbound only).",
            Regex = SlackWebhook,
            Anchored = SlackWebhookAnchored,
            Keywords = ["hooks.slack.com"],
            IsSecret = true,
            SecretGroup = SecretGroupNumber,
            MaxMatchLength = 160,
            MaxKeywordOffset = 0,
        },
        new Rule
        {
            Name = "google_api_key",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.High,
            AppliesTo = Directions.Outbound,
            Description = "A Google (GCP, Firebase, Maps) API key (outbound only).",
            Regex = GoogleApiKey,
            Anchored = GoogleApiKeyAnchored,
            Keywords = ["aiza"],
            IsSecret = true,
            MinEntropy = 3.5,
            MaxMatchLength = 64,
            MaxKeywordOffset = 0,
        },
        new Rule
        {
            Name = "stripe_key",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.Critical,
            AppliesTo = Directions.Outbound,
            Description = "A Stripe secret or restricted key, live or test; publishable pk_ keys are public (outbound only).",
            Regex = StripeKey,
            Anchored = StripeKeyAnchored,
            Keywords = ["sk_live_", "rk_live_", "sk_test_", "rk_test_"],
            IsSecret = true,
            MinEntropy = 3.0,
            MaxMatchLength = 256,
            MaxKeywordOffset = 0,
        },
        new Rule
        {
            Name = "huggingface_token",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.High,
            AppliesTo = Directions.Outbound,
            Description = "A Hugging Face user or organisation access token (outbound only).",
            Regex = HuggingfaceToken,
            Anchored = HuggingfaceTokenAnchored,
            Keywords = ["hf_", "api_org_"],
            IsSecret = true,
            MinEntropy = 3.5,
            MaxMatchLength = 64,
            MaxKeywordOffset = 0,
        },
        new Rule
        {
            Name = "npm_token",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.High,
            AppliesTo = Directions.Outbound,
            Description = "An npm access token (outbound only).",
            Regex = NpmToken,
            Anchored = NpmTokenAnchored,
            Keywords = ["npm_"],
            IsSecret = true,
            MinEntropy = 3.5,
            MaxMatchLength = 64,
            MaxKeywordOffset = 0,
        },
        new Rule
        {
            Name = "pypi_token",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.High,
            AppliesTo = Directions.Outbound,
            Description = "A PyPI or TestPyPI upload token (outbound only).",
            Regex = PypiToken,
            Anchored = PypiTokenAnchored,
            Keywords = ["pypi-ag"],
            IsSecret = true,
            MaxMatchLength = 1100,
            MaxKeywordOffset = 0,
        },
        new Rule
        {
            Name = "sendgrid_key",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.High,
            AppliesTo = Directions.Outbound,
            Description = "A SendGrid API key (outbound only).",
            Regex = SendgridKey,
            Anchored = SendgridKeyAnchored,
            Keywords = ["sg."],
            IsSecret = true,
            MinEntropy = 3.5,
            MaxMatchLength = 80,
            MaxKeywordOffset = 0,
        },
        new Rule
        {
            Name = "telegram_bot_token",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.High,
            AppliesTo = Directions.Outbound,
            Description = "A Telegram bot token (outbound only).",
            Regex = TelegramBotToken,
            Anchored = TelegramBotTokenAnchored,
            Keywords = [":aa"],
            IsSecret = true,
            MinEntropy = 3.5,
            MaxMatchLength = 64,
            MaxKeywordOffset = 10,
        },
        new Rule
        {
            Name = "jwt",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.Medium,
            AppliesTo = Directions.Outbound,
            Description = "A signed JSON Web Token: three base64url parts whose header is JSON naming an \"alg\" (outbound only).",
            Regex = Jwt,
            Anchored = JwtAnchored,
            Keywords = ["eyj"],
            IsSecret = true,
            Check = IsJwtHeader,
            MaxMatchLength = 8192,
            MaxKeywordOffset = 0,
        },
        new Rule
        {
            Name = "gcp_service_account",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.Critical,
            AppliesTo = Directions.Outbound,
            Description = "A Google Cloud service-account key file: \"type\": \"service_account\" with a private key (outbound only).",
            Regex = GcpServiceAccount,
            Anchored = GcpServiceAccountAnchored,
            Keywords = ["service_account"],
            MaxMatchLength = 6200,
        },
        new Rule
        {
            Name = "azure_storage_key",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.Critical,
            AppliesTo = Directions.Outbound,
            Description = "An Azure storage account key (AccountKey=…, --account-key …: 88 base64 characters) (outbound only).",
            Regex = AzureStorageKey,
            Anchored = AzureStorageKeyAnchored,
            Keywords = ["accountkey", "account_key", "account-key"],
            IsSecret = true,
            SecretGroup = SecretGroupNumber,
            MinEntropy = 4.0,

            // The storage emulator's key is published in Microsoft's documentation for local development.
            Allowlist = [new Regex("^Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==$", RegexOptions.CultureInvariant)],
            MaxMatchLength = 128,
            MaxKeywordOffset = 0,
        },
        new Rule
        {
            Name = "db_connection_string",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.High,
            AppliesTo = Directions.Outbound,
            Description = "A database or broker URL with a password (PostgreSQL, MySQL, MongoDB, Redis, AMQP, SQL Server) (outbound only).",
            Regex = DbConnectionString,
            Anchored = DbConnectionStringAnchored,
            Keywords = ["postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver"],
            IsSecret = true,
            SecretGroup = SecretGroupNumber,
            Allowlist = [CredentialPlaceholderRegex],
            MaxMatchLength = 256,
            MaxKeywordOffset = 0,
        },
        new Rule
        {
            Name = "url_credentials",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.High,
            AppliesTo = Directions.Outbound,
            Description = "A URL of any other scheme with a user and password in it (outbound only).",
            Regex = UrlCredentials,
            Anchored = UrlCredentialsAnchored,
            Keywords = ["://"],
            IsSecret = true,
            SecretGroup = SecretGroupNumber,
            Allowlist = [CredentialPlaceholderRegex],
            MaxMatchLength = 256,
            MaxKeywordOffset = 24,
        },
        new Rule
        {
            Name = "credential_file",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.High,
            Description = "A path to a file of stored credentials (.netrc, .git-credentials, .npmrc, .pypirc, .pgpass, kube or docker config) (both directions, like the paths of the original rules).",
            Regex = CredentialFile,
            Anchored = CredentialFileAnchored,
            Keywords = ["netrc", ".git-credentials", ".npmrc", ".pypirc", ".pgpass", ".kube", ".docker"],
            MaxMatchLength = 64,
            MaxKeywordOffset = 4,
        },
        new Rule
        {
            Name = "generic_password_assignment",
            ThreatType = ThreatType.Exfil,
            Severity = Severity.Medium,
            AppliesTo = Directions.Outbound,
            Description = "A high-entropy value given to a password, secret, token or API-key name; ordinary words are not reported (outbound only).",
            Regex = GenericPasswordAssignment,
            Anchored = GenericPasswordAssignmentAnchored,
            Keywords = ["pass", "pwd", "secret", "token", "api_key", "api-key", "apikey"],
            IsSecret = true,
            SecretGroup = SecretGroupNumber,
            MinEntropy = 3.2,
            Check = HasLetterAndDigit,
            Allowlist = [CredentialPlaceholderRegex],
            MaxMatchLength = 192,
            MaxKeywordOffset = 0,
        },
    ];

    private static Regex CredentialPlaceholderRegex { get; } = new(CredentialPlaceholder, Options);

    private static bool HasLetterAndDigit(ReadOnlySpan<char> value) =>
        value.IndexOfAnyInRange('0', '9') >= 0 && (value.IndexOfAnyInRange('a', 'z') >= 0 || value.IndexOfAnyInRange('A', 'Z') >= 0);

    /// <summary>True when the token's first part decodes to a JSON object with an "alg" member.</summary>
    private static bool IsJwtHeader(ReadOnlySpan<char> token)
    {
        var dot = token.IndexOf('.');
        var header = dot < 0 ? token : token[..dot];
        Span<byte> bytes = stackalloc byte[Base64Url.GetMaxDecodedLength(Math.Min(header.Length, 2048))];
        try
        {
            // A length of 4n+1 is not base64 at all, and the decoder says so by throwing.
            if (header.Length > 2048 || header.Length % 4 == 1 || !Base64Url.TryDecodeFromChars(header, bytes, out var written))
            {
                return false;
            }

            var reader = new Utf8JsonReader(bytes[..written]);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("alg"u8))
                {
                    return true;
                }

                reader.Skip();
            }
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
        }

        return false;
    }

    private const string AwsSecretKeyPattern =
        @"(?<![A-Za-z0-9])(?i:(?:aws[_.-]?)?secret[_.-]?access[_.-]?key|aws[_.-]?secret[_.-]?key)"
        + @"(?:" + Assign + @"|[ \t]{1,4})(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])";

    [GeneratedRegex(AwsSecretKeyPattern, Options)]
    private static partial Regex AwsSecretKey { get; }

    [GeneratedRegex(@"\G(?:" + AwsSecretKeyPattern + ")", Options)]
    private static partial Regex AwsSecretKeyAnchored { get; }

    private const string GithubTokenPattern =
        @"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9_])";

    [GeneratedRegex(GithubTokenPattern, Options)]
    private static partial Regex GithubToken { get; }

    [GeneratedRegex(@"\G(?:" + GithubTokenPattern + ")", Options)]
    private static partial Regex GithubTokenAnchored { get; }

    // Legacy tokens are 20 characters; routable ones are longer and end in ".01.<crc>".
    private const string GitlabTokenPattern =
        NoKeyCharBefore + @"gl(?:pat|dt|rt|ptt)-[A-Za-z0-9_-]{20,64}(?:\.[0-9a-z]{2}\.[0-9a-z]{7,9})?(?![A-Za-z0-9_.-])";

    [GeneratedRegex(GitlabTokenPattern, Options)]
    private static partial Regex GitlabToken { get; }

    [GeneratedRegex(@"\G(?:" + GitlabTokenPattern + ")", Options)]
    private static partial Regex GitlabTokenAnchored { get; }

    private const string SlackTokenPattern =
        NoKeyCharBefore + @"(?:(?:xoxe\.)?xox[baprs]-(?:[0-9]{1,14}-){1,3}[A-Za-z0-9]{10,128}"
        + @"|xoxe-[0-9]-[A-Za-z0-9]{60,200}"
        + @"|xapp-[0-9]-[A-Z0-9]{8,14}-[0-9]{8,14}-[a-f0-9]{32,80})" + NoKeyCharAfter;

    [GeneratedRegex(SlackTokenPattern, Options)]
    private static partial Regex SlackToken { get; }

    [GeneratedRegex(@"\G(?:" + SlackTokenPattern + ")", Options)]
    private static partial Regex SlackTokenAnchored { get; }

    private const string SlackWebhookPattern =
        @"hooks\.slack\.com\\?/(?:services|workflows|triggers)\\?/"
        + @"(?<secret>T[A-Z0-9]{8,12}\\?/[AB][A-Z0-9]{8,12}\\?/(?:[0-9]{6,20}\\?/)?[A-Za-z0-9]{20,40})(?![A-Za-z0-9])";

    [GeneratedRegex(SlackWebhookPattern, Options)]
    private static partial Regex SlackWebhook { get; }

    [GeneratedRegex(@"\G(?:" + SlackWebhookPattern + ")", Options)]
    private static partial Regex SlackWebhookAnchored { get; }

    private const string GoogleApiKeyPattern =
        NoKeyCharBefore + "AIza[0-9A-Za-z_-]{35}" + NoKeyCharAfter;

    [GeneratedRegex(GoogleApiKeyPattern, Options)]
    private static partial Regex GoogleApiKey { get; }

    [GeneratedRegex(@"\G(?:" + GoogleApiKeyPattern + ")", Options)]
    private static partial Regex GoogleApiKeyAnchored { get; }

    private const string StripeKeyPattern =
        NoKeyCharBefore + "(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{24,247}" + NoKeyCharAfter;

    [GeneratedRegex(StripeKeyPattern, Options)]
    private static partial Regex StripeKey { get; }

    [GeneratedRegex(@"\G(?:" + StripeKeyPattern + ")", Options)]
    private static partial Regex StripeKeyAnchored { get; }

    // Real tokens mix upper and lower case; an identifier such as hf_hubdownloadhelperfunctions does not.
    private const string HuggingfaceTokenPattern =
        NoKeyCharBefore + "(?:hf|api_org)_(?=[A-Za-z0-9]{0,40}[A-Z])(?=[A-Za-z0-9]{0,40}[a-z])[A-Za-z0-9]{34,40}"
        + NoKeyCharAfter;

    [GeneratedRegex(HuggingfaceTokenPattern, Options)]
    private static partial Regex HuggingfaceToken { get; }

    [GeneratedRegex(@"\G(?:" + HuggingfaceTokenPattern + ")", Options)]
    private static partial Regex HuggingfaceTokenAnchored { get; }

    private const string NpmTokenPattern =
        NoKeyCharBefore + "npm_(?=[A-Za-z]{0,36}[0-9])[A-Za-z0-9]{36}" + NoKeyCharAfter;

    [GeneratedRegex(NpmTokenPattern, Options)]
    private static partial Regex NpmToken { get; }

    [GeneratedRegex(@"\G(?:" + NpmTokenPattern + ")", Options)]
    private static partial Regex NpmTokenAnchored { get; }

    // A macaroon whose location caveat is pypi.org or test.pypi.org, base64url-encoded.
    private const string PypiTokenPattern =
        NoKeyCharBefore + "pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,1000}" + NoKeyCharAfter;

    [GeneratedRegex(PypiTokenPattern, Options)]
    private static partial Regex PypiToken { get; }

    [GeneratedRegex(@"\G(?:" + PypiTokenPattern + ")", Options)]
    private static partial Regex PypiTokenAnchored { get; }

    private const string SendgridKeyPattern =
        NoKeyCharBefore + @"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}" + NoKeyCharAfter;

    [GeneratedRegex(SendgridKeyPattern, Options)]
    private static partial Regex SendgridKey { get; }

    [GeneratedRegex(@"\G(?:" + SendgridKeyPattern + ")", Options)]
    private static partial Regex SendgridKeyAnchored { get; }

    // Bare, or in an API URL right after "bot".
    private const string TelegramBotTokenPattern =
        @"(?:(?<=bot)|(?<![A-Za-z0-9_:-]))[0-9]{8,10}:AA[A-Za-z0-9_-]{33}" + NoKeyCharAfter;

    [GeneratedRegex(TelegramBotTokenPattern, Options)]
    private static partial Regex TelegramBotToken { get; }

    [GeneratedRegex(@"\G(?:" + TelegramBotTokenPattern + ")", Options)]
    private static partial Regex TelegramBotTokenAnchored { get; }

    private const string JwtPattern =
        NoKeyCharBefore + @"eyJ[A-Za-z0-9_-]{8,1500}\.eyJ[A-Za-z0-9_-]{4,5500}\.[A-Za-z0-9_-]{16,1100}(?![A-Za-z0-9_.-])";

    [GeneratedRegex(JwtPattern, Options)]
    private static partial Regex Jwt { get; }

    [GeneratedRegex(@"\G(?:" + JwtPattern + ")", Options)]
    private static partial Regex JwtAnchored { get; }

    // Both orders of the two fields; a key file has the private key some 1700 characters long between them at most.
    private const string GcpServiceAccountPattern =
        @"\\?""type\\?""[ \t]{0,4}:[ \t]{0,4}\\?""service_account\\?""[\s\S]{0,3000}?\\?""private_key\\?""[ \t]{0,4}:"
        + @"|\\?""private_key\\?""[ \t]{0,4}:[ \t]{0,4}\\?""-----BEGIN[\s\S]{0,6000}?\\?""type\\?""[ \t]{0,4}:[ \t]{0,4}"
        + @"\\?""service_account\\?""";

    [GeneratedRegex(GcpServiceAccountPattern, Options)]
    private static partial Regex GcpServiceAccount { get; }

    [GeneratedRegex(@"\G(?:" + GcpServiceAccountPattern + ")", Options)]
    private static partial Regex GcpServiceAccountAnchored { get; }

    private const string AzureStorageKeyPattern =
        @"(?i:account[_-]?key)(?:" + Assign + @"|[ \t]{1,4})(?<secret>[A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])";

    [GeneratedRegex(AzureStorageKeyPattern, Options)]
    private static partial Regex AzureStorageKey { get; }

    [GeneratedRegex(@"\G(?:" + AzureStorageKeyPattern + ")", Options)]
    private static partial Regex AzureStorageKeyAnchored { get; }

    private const string DbConnectionStringPattern =
        @"(?<![A-Za-z0-9+.-])(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver)"
        + @"(?:\+[a-z0-9]{1,16})?:\\?/\\?/[^\s:@/""'\\<>]{0,64}:(?<secret>[^\s@/""'\\<>]{1,128})@[A-Za-z0-9.\[\]_-]";

    [GeneratedRegex(DbConnectionStringPattern, Options)]
    private static partial Regex DbConnectionString { get; }

    [GeneratedRegex(@"\G(?:" + DbConnectionStringPattern + ")", Options)]
    private static partial Regex DbConnectionStringAnchored { get; }

    // Any other scheme (the database ones are db_connection_string); the user part may be empty (":token@").
    private const string UrlCredentialsPattern =
        @"(?<![A-Za-z0-9+.-])(?!(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver)[:+])"
        + @"[A-Za-z][A-Za-z0-9+.-]{0,20}:\\?/\\?/[^\s:@/""'\\<>]{0,64}:(?<secret>[^\s@/""'\\<>]{1,128})@[A-Za-z0-9.\[\]_-]";

    [GeneratedRegex(UrlCredentialsPattern, Options)]
    private static partial Regex UrlCredentials { get; }

    [GeneratedRegex(@"\G(?:" + UrlCredentialsPattern + ")", Options)]
    private static partial Regex UrlCredentialsAnchored { get; }

    private const string CredentialFilePattern =
        Sep + @"(?:[._]netrc|\.git-credentials|\.npmrc|\.pypirc|\.pgpass|\.kube" + Sep + "config|\\.docker" + Sep
        + @"config\.json)(?![A-Za-z0-9_-])";

    [GeneratedRegex(CredentialFilePattern, Options)]
    private static partial Regex CredentialFile { get; }

    [GeneratedRegex(@"\G(?:" + CredentialFilePattern + ")", Options)]
    private static partial Regex CredentialFileAnchored { get; }

    // The name ends at the keyword (max_tokens, token_type and password_hash are not it) and starts a word or a
    // camelCase part; aws secret names are aws_secret_key's. Values of known token formats are their own rules'.
    private const string GenericPasswordAssignmentPattern =
        @"(?:(?<![A-Za-z0-9])|(?<=[a-z0-9])(?=[A-Z]))(?<!(?i:aws)[_.-]?)"
        + @"(?i:pass(?:word|wd|phrase)?|pwd|secret(?:[_-]?key)?|token|api[_-]?key|apikey)"
        + Assign
        + @"(?!(?:sk-|gsk_|xai-|gh[pousr]_|github_pat_|gl(?:pat|dt|rt|ptt)-|xox[baprse]|xapp-|AKIA|ASIA|AIza|[sr]k_(?:live|test)_"
        + @"|hf_|api_org_|npm_|pypi-|SG\.|eyJ))"
        + @"(?<secret>[A-Za-z0-9+/=_.~!@#$%^&*?-]{12,128})(?![A-Za-z0-9+/=_.~!@#$%^&*?-])";

    [GeneratedRegex(GenericPasswordAssignmentPattern, Options)]
    private static partial Regex GenericPasswordAssignment { get; }

    [GeneratedRegex(@"\G(?:" + GenericPasswordAssignmentPattern + ")", Options)]
    private static partial Regex GenericPasswordAssignmentAnchored { get; }
}
