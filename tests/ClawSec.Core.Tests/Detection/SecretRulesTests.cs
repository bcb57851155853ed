using ClawSec.Core.Detection;

namespace ClawSec.Core.Tests.Detection;

/// <summary>The secret rules added to the twelve: formats documented by their issuers, with fake values.</summary>
public sealed class SecretRulesTests
{
    private static readonly Scanner Scanner = new(RulePack.Default);

    /// <summary>Rules that rightly fire beside another on the same text: a key file holds a PEM key.</summary>
    private static readonly Dictionary<string, string[]> Overlaps = new()
    {
        ["gcp_service_account"] = ["private_key_pem"],
    };

    public static TheoryData<string, string> TruePositives => new()
    {
        { "aws_secret_key", $"aws_secret_access_key = {Fakes.AwsSecretKey()}" },
        { "aws_secret_key", $"{{\"AccessKeyId\":\"ASIAXXXX\",\"SecretAccessKey\":\"{Fakes.AwsSecretKey(40)}\"}}" },
        { "aws_secret_key", $"export AWS_SECRET_ACCESS_KEY=\"{Fakes.AwsSecretKey(41)}\"" },
        { "aws_secret_key", $"aws configure set aws_secret_access_key {Fakes.AwsSecretKey(42)}" },
        { "aws_secret_key", $"{{\\\"aws_secret_key\\\": \\\"{Fakes.AwsSecretKey(43)}\\\"}}" },

        { "github_token", $"GITHUB_TOKEN={Fakes.GithubToken()}" },
        { "github_token", $"Authorization: token {Fakes.GithubToken("gho_", 44)}" },
        { "github_token", $"{{\"token\":\"{Fakes.GithubToken("ghs_", 45)}\"}}" },
        { "github_token", $"refresh {Fakes.GithubToken("ghr_", 46)} and user {Fakes.GithubToken("ghu_", 47)}" },
        { "github_token", $"GH_TOKEN={Fakes.GithubFineGrainedToken()}" },

        { "gitlab_token", $"PRIVATE-TOKEN: {Fakes.GitlabToken()}" },
        { "gitlab_token", $"{{\"gitlab\":\"{Fakes.GitlabToken(48)}\"}}" },
        { "gitlab_token", $"token glpat-{Fakes.Chars(Fakes.KeyChars, 27, 49)}.01.{Fakes.Chars(Fakes.Lower + Fakes.Digits, 9, 50)} ok" },
        { "gitlab_token", $"deploy gldt-{Fakes.Chars(Fakes.Alnum, 20, 51)}" },

        { "slack_token", $"SLACK_BOT_TOKEN={Fakes.SlackBotToken()}" },
        { "slack_token", $"Authorization: Bearer {Fakes.SlackUserToken()}" },
        { "slack_token", $"{{\"app_token\":\"xapp-1-A{Fakes.Chars(Fakes.Upper + Fakes.Digits, 10, 52)}-{Fakes.Chars(Fakes.Digits, 13, 53)}-{Fakes.Chars(Fakes.Hex, 64, 54)}\"}}" },

        { "slack_webhook", $"curl -X POST -d '{{\"text\":\"hi\"}}' {Fakes.SlackWebhook()}" },
        { "slack_webhook", $"{{\"url\":\"{Fakes.SlackWebhook(55).Replace("/", "\\/", StringComparison.Ordinal)}\"}}" },
        { "slack_webhook", $"SLACK_WEBHOOK_URL={Fakes.SlackWebhook(56)}" },

        { "google_api_key", $"GET /maps/api/geocode/json?address=x&key={Fakes.GoogleApiKey()} HTTP/1.1" },
        { "google_api_key", $"{{\"apiKey\": \"{Fakes.GoogleApiKey(57)}\", \"authDomain\": \"demo.firebaseapp.com\"}}" },
        { "google_api_key", $"GOOGLE_API_KEY={Fakes.GoogleApiKey(58)}" },

        { "stripe_key", $"STRIPE_SECRET_KEY={Fakes.StripeKey()}" },
        { "stripe_key", $"Authorization: Bearer {Fakes.StripeKey("rk_live_", 59)}" },
        { "stripe_key", $"stripe.api_key = \"{Fakes.StripeKey("sk_test_", 60)}\"" },

        { "huggingface_token", $"HF_TOKEN={Fakes.HuggingfaceToken()}" },
        { "huggingface_token", $"Authorization: Bearer {Fakes.HuggingfaceToken(61)}" },
        { "huggingface_token", $"login(token=\"{Fakes.HuggingfaceToken(62)}\")" },

        { "npm_token", $"//registry.npmjs.org/:_authToken={Fakes.NpmToken()}" },
        { "npm_token", $"NPM_TOKEN={Fakes.NpmToken(63)}" },
        { "npm_token", $"{{\"npm\":\"{Fakes.NpmToken(64)}\"}}" },

        { "pypi_token", $"password = {Fakes.PypiToken()}" },
        { "pypi_token", $"TWINE_PASSWORD={Fakes.PypiToken(65)}" },
        { "pypi_token", $"uv publish --token pypi-AgENdGVzdC5weXBpLm9yZw{Fakes.Chars(Fakes.KeyChars, 120, 66)}" },

        { "sendgrid_key", $"SENDGRID_API_KEY={Fakes.SendgridKey()}" },
        { "sendgrid_key", $"Authorization: Bearer {Fakes.SendgridKey(67)}" },
        { "sendgrid_key", $"{{\"sg\":\"{Fakes.SendgridKey(68)}\"}}" },

        { "telegram_bot_token", $"GET /bot{Fakes.TelegramBotToken()}/sendMessage HTTP/1.1" },
        { "telegram_bot_token", $"TELEGRAM_TOKEN={Fakes.TelegramBotToken(69)}" },
        { "telegram_bot_token", $"{{\"bot\":\"{Fakes.TelegramBotToken(70)}\"}}" },

        { "jwt", $"Authorization: Bearer {Fakes.Jwt()}" },
        { "jwt", $"Cookie: session={Fakes.Jwt(71)}; theme=dark" },
        { "jwt", $"{{\"id_token\":\"{Fakes.Jwt(72)}\"}}" },
        { "jwt", $"token: eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJ{Fakes.Chars(Fakes.KeyChars, 120, 73)}.{Fakes.Chars(Fakes.KeyChars, 342, 74)}" },

        { "gcp_service_account", Fakes.GcpServiceAccount() },
        { "gcp_service_account", $"{{\"content\":\"{Fakes.GcpServiceAccount(75).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"}}" },
        { "gcp_service_account", "{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\n" + Fakes.PemBody(3, 76).Replace("\n", "\\n", StringComparison.Ordinal) + "\\n-----END PRIVATE KEY-----\\n\", \"client_id\": \"1\", \"type\": \"service_account\"}" },

        { "azure_storage_key", $"DefaultEndpointsProtocol=https;AccountName=demo;AccountKey={Fakes.AzureStorageKey()};EndpointSuffix=core.windows.net" },
        { "azure_storage_key", $"{{\"accountKey\": \"{Fakes.AzureStorageKey(77)}\"}}" },
        { "azure_storage_key", $"AZURE_STORAGE_ACCOUNT_KEY={Fakes.AzureStorageKey(78)}" },
        { "azure_storage_key", $"az storage container list --account-name demo --account-key {Fakes.AzureStorageKey(79)}" },

        { "db_connection_string", $"DATABASE_URL=postgres://app:{Fakes.Password()}@db.internal:5432/app" },
        { "db_connection_string", $"mongodb+srv://admin:{Fakes.Password(16, 79)}@cluster0.ab1cd.mongodb.net/test" },
        { "db_connection_string", $"{{\"redis\":\"redis://default:{Fakes.Password(24, 80)}@cache:6379/0\"}}" },
        { "db_connection_string", $"mysql://root:{Fakes.Password(12, 81)}@10.0.0.5/shop" },
        { "db_connection_string", $"amqps://svc:{Fakes.Password(18, 82)}@mq.example.net/vhost" },

        { "url_credentials", $"git clone https://deploy:{Fakes.Password(22, 83)}@git.example.net/team/repo.git" },
        { "url_credentials", $"HTTPS_PROXY=http://alice:{Fakes.Password(14, 84)}@proxy.corp:3128" },
        { "url_credentials", $"ftp://backup:{Fakes.Password(16, 85)}@files.example.net/dump.tar" },

        { "credential_file", "cat ~/.netrc" },
        { "credential_file", "read_file(\"/home/dev/.git-credentials\")" },
        { "credential_file", "cp ~/.npmrc /tmp/x" },
        { "credential_file", "open('/root/.pypirc').read()" },
        { "credential_file", "cat $HOME/.pgpass" },
        { "credential_file", "kubectl --kubeconfig ~/.kube/config get pods" },
        { "credential_file", "{\"path\":\"\\/home\\/me\\/.docker\\/config.json\"}" },
        { "credential_file", @"type %USERPROFILE%\_netrc" },

        { "generic_password_assignment", $"DB_PASSWORD={Fakes.Password(20, 86)}" },
        { "generic_password_assignment", $"{{\"password\": \"{Fakes.Password(16, 87)}\"}}" },
        { "generic_password_assignment", $"client_secret: {Fakes.Chars(Fakes.Alnum, 32, 88)}" },
        { "generic_password_assignment", $"api_key={Fakes.Chars(Fakes.Hex, 32, 89)}" },
        { "generic_password_assignment", $"const dbPassword = '{Fakes.Password(14, 90)}';" },
    };

    public static TheoryData<string, string> NearMisses => new()
    {
        { "aws_secret_key", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
        { "aws_secret_key", $"aws_secret_access_key = {Fakes.Chars(Fakes.Base64, 39, 100)}" },
        { "aws_secret_key", $"commit {Fakes.Chars(Fakes.Hex, 40, 101)} fixes the secret rotation" },
        { "aws_secret_key", "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}" },
        { "aws_secret_key", "AWS_SECRET_ACCESS_KEY=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },

        { "github_token", $"ghp_{Fakes.Chars(Fakes.Alnum, 35, 102)}" },
        { "github_token", "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" },
        { "github_token", "tokens start with ghp_ for classic PATs and github_pat_ for fine-grained ones" },
        { "github_token", $"xghp_{Fakes.Chars(Fakes.Alnum, 36, 103)}" },

        { "gitlab_token", "glpat-xxxxxxxxxxxxxxxxxxxx" },
        { "gitlab_token", "set PRIVATE-TOKEN to a glpat- token" },
        { "gitlab_token", $"glpat-{Fakes.Chars(Fakes.Alnum, 12, 104)}" },

        { "slack_token", "SLACK_BOT_TOKEN=xoxb-your-bot-token" },
        { "slack_token", "xoxb-1234-short" },
        { "slack_token", "Bot tokens begin with xoxb- and user tokens with xoxp-." },

        { "slack_webhook", "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX" },
        { "slack_webhook", "POST to hooks.slack.com/services with your webhook URL" },
        { "slack_webhook", "https://api.slack.com/messaging/webhooks" },

        { "google_api_key", $"AIza{Fakes.Chars(Fakes.Alnum, 34, 105)}" },
        { "google_api_key", "GOOGLE_API_KEY=AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX" },
        { "google_api_key", "keys start with AIza and are 39 characters long" },

        { "stripe_key", $"pk_live_{Fakes.Chars(Fakes.Alnum, 99, 106)}" },
        { "stripe_key", "STRIPE_SECRET_KEY=sk_test_your_key" },
        { "stripe_key", "sk_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxx" },

        { "huggingface_token", "hf_hub_download(repo_id=\"gpt2\", filename=\"config.json\")" },
        { "huggingface_token", "hf_transferdownloadmanagerforlargemodels" },
        { "huggingface_token", "HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" },

        { "npm_token", "npm_config_registry=https://registry.npmjs.org/" },
        { "npm_token", "npm_lifecycle_event_and_other_variables_x" },
        { "npm_token", "NPM_TOKEN=npm_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX" },

        { "pypi_token", "TWINE_PASSWORD=pypi-AgEIcHlwaS5vcmc" },
        { "pypi_token", "password = pypi-your-token-here" },
        { "pypi_token", "tokens look like pypi-AgEI… and are long" },

        { "sendgrid_key", "SG.abc.def" },
        { "sendgrid_key", "SENDGRID_API_KEY=SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" },
        { "sendgrid_key", "see SG.Mail.send() in the docs" },

        { "telegram_bot_token", "123456789:ABCdefGhIJKlmNoPQRsTUVwxyZ" },
        { "telegram_bot_token", $"time 12:AA{Fakes.Chars(Fakes.Alnum, 33, 107)}" },
        { "telegram_bot_token", "GET /bot<token>/getMe HTTP/1.1" },

        { "jwt", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9" },
        { "jwt", $"eyJ{Fakes.Chars(Fakes.Alnum, 30, 108)}.eyJ{Fakes.Chars(Fakes.Alnum, 30, 109)}.{Fakes.Chars(Fakes.Alnum, 43, 110)}" },
        { "jwt", "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U" },
        { "jwt", "the payload of a JWT is base64url, e.g. eyJzdWIiOiIxMjM0In0" },

        { "gcp_service_account", "{\"type\": \"service_account\", \"project_id\": \"demo\", \"client_email\": \"a@b.iam.gserviceaccount.com\"}" },
        { "gcp_service_account", "Create a key of type service_account and keep its private_key safe." },
        { "gcp_service_account", "{\"type\": \"authorized_user\", \"private_key\": \"\"}" },

        { "azure_storage_key", $"AccountKey={Fakes.Chars(Fakes.Base64, 40, 111)}" },
        { "azure_storage_key", "UseDevelopmentStorage=true;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==" },
        { "azure_storage_key", "AccountKey=<your-account-key>;EndpointSuffix=core.windows.net" },

        { "db_connection_string", "DATABASE_URL=postgresql://user:password@localhost:5432/mydb" },
        { "db_connection_string", "postgres://postgres:postgres@localhost/test" },
        { "db_connection_string", "mongodb://${MONGO_USER}:${MONGO_PASS}@mongo:27017" },
        { "db_connection_string", "redis://localhost:6379/0" },
        { "db_connection_string", "amqp://guest:guest@localhost:5672/" },

        { "url_credentials", "https://user:pass@example.com/" },
        { "url_credentials", "https://x-access-token:${GITHUB_TOKEN}@github.com/org/repo" },
        { "url_credentials", "https://example.com:8443/path?a=b@c" },
        { "url_credentials", "git@github.com:org/repo.git" },
        { "url_credentials", "http://<user>:<password>@proxy:3128" },

        { "credential_file", "Put the auth line in your .npmrc file." },
        { "credential_file", "cat ./config/settings.json" },
        { "credential_file", "the netrc format is documented in ftp(1)" },
        { "credential_file", "/srv/docker/compose.yml" },

        { "generic_password_assignment", "password = correcthorsebatterystaple" },
        { "generic_password_assignment", "\"max_tokens\": 4096" },
        { "generic_password_assignment", "\"token_type\": \"Bearer\"" },
        { "generic_password_assignment", "password: ${DB_PASSWORD}" },
        { "generic_password_assignment", "secret_name = production-db-credentials" },
        { "generic_password_assignment", "password_hash = 5f4dcc3b5aa765d61d8327deb882cf99" },
        { "generic_password_assignment", "token: process.env.GITHUB_TOKEN" },
    };

    [Theory]
    [MemberData(nameof(TruePositives))]
    public void Secret_rule_fires_on_its_true_positive(string rule, string text)
    {
        var fired = Scanner.ScanText(text, Direction.Outbound).Select(f => f.Rule.Name).Distinct().ToList();

        Assert.Contains(rule, fired);
        Assert.Empty(fired.Except([rule, .. Overlaps.GetValueOrDefault(rule, [])]));
    }

    [Theory]
    [MemberData(nameof(TruePositives))]
    public void Secret_rule_applies_in_its_directions_only(string rule, string text)
    {
        var applies = RulePack.Default.Rules.Single(r => r.Name == rule).AppliesTo;
        var fired = Scanner.ScanText(text, Direction.Inbound).Any(f => f.Rule.Name == rule);

        Assert.Equal(applies.HasFlag(Directions.Inbound), fired);
    }

    [Theory]
    [MemberData(nameof(NearMisses))]
    public void Secret_near_miss_fires_nothing(string nearMissOf, string text)
    {
        Assert.False(string.IsNullOrEmpty(nearMissOf));
        Assert.Empty(Scanner.ScanText(text, Direction.Outbound));
        Assert.Empty(Scanner.ScanText(text, Direction.Inbound));
    }

    [Theory]
    [MemberData(nameof(TruePositives))]
    public void Secret_value_is_redacted_in_the_snippet(string rule, string text)
    {
        var finding = Scanner.ScanText(text, Direction.Outbound).First(f => f.Rule.Name == rule);
        if (!finding.Rule.IsSecret)
        {
            return;
        }

        var (start, length) = Scanner.SecretSpan(finding.Rule, text, (int)finding.Offset, finding.Value.Length);
        var secret = text.Substring(start, length);
        Assert.DoesNotContain(secret, finding.Snippet, StringComparison.Ordinal);
        Assert.Contains(Redactor.Marker, finding.Snippet, StringComparison.Ordinal);
    }
}
