using ClawSec.Core.Detection;

namespace ClawSec.Core.Tests.Detection;

public sealed class GitleaksImporterTests
{
    private static readonly Lazy<GitleaksImport> Default = new(() => GitleaksImporter.Load(SharedRules.Gitleaks));

    private static Rule Only(string toml) => Assert.Single(GitleaksImporter.Load(toml).Rules);

    private static IReadOnlyList<Finding> Scan(Rule rule, string text) =>
        new Scanner(new RulePack([rule])).ScanText(text, Direction.Outbound);

    [Fact]
    public void Default_config_loads_and_names_each_rule_it_could_not_take_with_the_reason()
    {
        var import = Default.Value;
        var output = TestContext.Current.TestOutputHelper!;

        output.WriteLine($"{import.Rules.Count} rules taken, {import.Skipped.Count} skipped:");
        foreach (var skipped in import.Skipped)
        {
            output.WriteLine($"  {skipped.Id}: {skipped.Reason}");
        }

        output.WriteLine($"{import.Ignored.Count} parts not applied:");
        foreach (var ignored in import.Ignored)
        {
            output.WriteLine($"  {ignored.Id}: {ignored.Reason}");
        }

        Assert.Equal(222, import.Rules.Count + import.Skipped.Count);
        Assert.Contains(import.Skipped, s => s.Id == "pkcs12-file" && s.Reason.Contains("file paths only", StringComparison.Ordinal));
        Assert.All(import.Skipped, s => Assert.Contains("path", s.Reason, StringComparison.Ordinal));
        Assert.InRange(import.Rules.Count, 215, 222);
        Assert.Contains(import.Rules, r => r.Name == "gitleaks:jwt-base64");
        Assert.Contains(import.Rules, r => r.Name == "gitleaks:airtable-personnal-access-token");
        Assert.All(import.Rules, r =>
        {
            Assert.StartsWith(GitleaksImporter.NamePrefix, r.Name, StringComparison.Ordinal);
            Assert.Equal(ThreatType.Exfil, r.ThreatType);
            Assert.Equal(Directions.Outbound, r.AppliesTo);
            Assert.Equal(Severity.Medium, r.Severity);
            Assert.All(r.Keywords, k => Assert.Equal(k.ToLowerInvariant(), k));
        });
    }

    [Fact]
    public void Imported_pack_alone_finds_a_fake_github_token()
    {
        var token = Fakes.GithubToken(seed: 1200);
        var scanner = new Scanner(new RulePack(Default.Value.Rules));

        var findings = scanner.ScanText($"{{\"messages\":[{{\"role\":\"user\",\"content\":\"use {token} to push\"}}]}}", Direction.Outbound);

        var finding = Assert.Single(findings, f => f.Rule.Name == "gitleaks:github-pat");
        Assert.Equal(token, finding.Value);
        Assert.DoesNotContain(token, finding.Snippet, StringComparison.Ordinal);
    }

    [Fact]
    public void Imported_pack_finds_the_same_in_a_stream_as_in_the_whole_text()
    {
        var text = $"{Fakes.Filler(9000, 1201)} key {Fakes.GithubToken(seed: 1202)} and {Fakes.SlackBotToken(1203)} {Fakes.Filler(9000, 1204)}";
        var scanner = new Scanner(new RulePack(Default.Value.Rules));
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var stream = scanner.CreateStream(Direction.Outbound, long.MaxValue);
        var found = new List<Finding>();
        for (var i = 0; i < bytes.Length; i += 777)
        {
            stream.Append(bytes.AsSpan(i, Math.Min(777, bytes.Length - i)), found);
        }

        stream.Complete(found);

        Assert.Contains(found, f => f.Rule.Name == "gitleaks:github-pat");
        Assert.Contains(found, f => f.Rule.Name == "gitleaks:slack-bot-token");
        Assert.Equal(scanner.ScanText(text, Direction.Outbound), found);
    }

    [Fact]
    public void Secret_group_entropy_and_keywords_are_honoured()
    {
        var rule = Only("""
            [[rules]]
            id = "acme"
            description = "ACME key"
            regex = '''(?i)(acme)_key\s*=\s*"([a-z0-9]{12})"'''
            secretGroup = 2
            entropy = 2.5
            keywords = ["ACME_KEY"]
            """);

        Assert.Equal("gitleaks:acme", rule.Name);
        Assert.Equal("ACME key", rule.Description);
        Assert.Equal(["acme_key"], rule.Keywords);
        Assert.Equal(2, rule.SecretGroup);
        Assert.Single(Scan(rule, "ACME_KEY = \"k3j9x2m7q1w8\""));
        Assert.Empty(Scan(rule, "acme_key = \"abababababab\""));
        Assert.Contains("acme_key = \"k3j9…[REDACTED]", Assert.Single(Scan(rule, "acme_key = \"k3j9x2m7q1w8\"")).Snippet, StringComparison.Ordinal);
    }

    [Fact]
    public void Entropy_equal_to_the_threshold_is_dropped_as_gitleaks_does()
    {
        // "abcd" has exactly 2 bits per character.
        var rule = Only("""
            [[rules]]
            id = "e"
            regex = '''k=([a-d]{4})'''
            entropy = 2
            keywords = ["k="]
            """);

        Assert.Empty(Scan(rule, "k=abcd"));
    }

    [Fact]
    public void Rule_allowlists_apply_to_their_targets_and_stopwords_to_the_secret()
    {
        var rule = Only("""
            [[rules]]
            id = "t"
            regex = '''tok_([a-z0-9]{10})'''
            keywords = ["tok_"]
            [[rules.allowlists]]
            regexes = ['''^0''']
            [[rules.allowlists]]
            regexTarget = "match"
            regexes = ['''^tok_9''']
            [[rules.allowlists]]
            regexTarget = "line"
            regexes = ['''# fixture''']
            [[rules.allowlists]]
            stopwords = ["dummy"]
            """);

        Assert.Single(Scan(rule, "tok_a1b2c3d4e5"));
        Assert.Empty(Scan(rule, "tok_0a1b2c3d4e"));
        Assert.Empty(Scan(rule, "tok_9a1b2c3d4e"));
        Assert.Empty(Scan(rule, "x = tok_a1b2c3d4e5 # fixture"));
        Assert.Single(Scan(rule, "# fixture\nx = tok_a1b2c3d4e5"));
        Assert.Empty(Scan(rule, "tok_dummy12345"));
    }

    [Fact]
    public void Global_allowlist_regexes_and_stopwords_apply_to_every_rule()
    {
        var import = GitleaksImporter.Load("""
            [allowlist]
            paths = ['''vendor/''']
            regexes = ['''^abc''']
            stopwords = ["sample"]
            [[rules]]
            id = "a"
            regex = '''a_([a-z0-9]{9})'''
            keywords = ["a_"]
            [[rules]]
            id = "b"
            regex = '''b_([a-z0-9]{9})'''
            keywords = ["b_"]
            """);
        var scanner = new Scanner(new RulePack(import.Rules));

        Assert.Equal(2, scanner.ScanText("a_x1y2z3w4v b_x1y2z3w4v", Direction.Outbound).Count);
        Assert.Empty(scanner.ScanText("a_abc123456 b_sample123", Direction.Outbound));
        Assert.Contains(import.Ignored, i => i.Id == "[allowlist]" && i.Reason.Contains("path", StringComparison.Ordinal));
    }

    [Fact]
    public void Targeted_global_allowlists_apply_to_their_rules_only()
    {
        var import = GitleaksImporter.Load("""
            [[allowlists]]
            targetRules = ["a"]
            regexes = ['''^abc''']
            [[rules]]
            id = "a"
            regex = '''a_([a-z0-9]{9})'''
            [[rules]]
            id = "b"
            regex = '''b_([a-z0-9]{9})'''
            """);
        var scanner = new Scanner(new RulePack(import.Rules));

        Assert.Equal(["gitleaks:b"], scanner.ScanText("a_abc123456 b_abc123456", Direction.Outbound).Select(f => f.Rule.Name));
    }

    [Fact]
    public void Allowlist_that_needs_a_path_is_not_applied_and_is_noted()
    {
        var import = GitleaksImporter.Load("""
            [[rules]]
            id = "p"
            regex = '''p_([a-z0-9]{9})'''
            keywords = ["p_"]
            [[rules.allowlists]]
            condition = "AND"
            paths = ['''\.md$''']
            regexes = ['''^abc''']
            """);

        Assert.Single(Scan(Assert.Single(import.Rules), "p_abc123456"));
        Assert.Contains(import.Ignored, i => i.Id == "p" && i.Reason.Contains("not applied", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("path = '''\\.p12$'''", "file paths only")]
    [InlineData("regex = '''k_[a-z]{4}'''\npath = '''\\.tf$'''", "traffic has no file path")]
    [InlineData("description = \"nothing\"", "has no regex")]
    [InlineData("regex = '''(?U)k_a+'''", "regex: the ungreedy flag")]
    [InlineData("regex = '''k_(a'''", "regex: missing closing )")]
    [InlineData("regex = '''k_(a)'''\nsecretGroup = 3", "secretGroup 3: the regex has 1 groups")]
    [InlineData("regex = '''k_(a)'''\n[[rules.allowlists]]\nregexes = ['''(?=a)''']", "allowlists[0].regexes[0]: invalid or unsupported Perl syntax")]
    [InlineData("regex = '''k_(a)'''\n[[rules.allowlists]]\nregexTarget = \"file\"\nregexes = ['''a''']", "regexTarget \"file\"")]
    [InlineData("regex = 42", "regex: must be a string")]
    public void Rule_that_cannot_be_used_is_skipped_with_its_id_and_the_reason(string body, string reason)
    {
        var import = GitleaksImporter.Load($"[[rules]]\nid = \"bad\"\n{body}\n[[rules]]\nid = \"good\"\nregex = '''g_[a-z]{{4}}'''\n");

        Assert.Equal(["gitleaks:good"], import.Rules.Select(r => r.Name));
        var skipped = Assert.Single(import.Skipped);
        Assert.Equal("bad", skipped.Id);
        Assert.Contains(reason, skipped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_that_is_not_toml_is_a_format_error()
    {
        Assert.Throws<FormatException>(() => GitleaksImporter.Load("[[rules]\nid = "));
    }

    [Fact]
    public void Rule_regexes_are_built_only_when_their_keywords_occur()
    {
        var import = GitleaksImporter.Load(SharedRules.Gitleaks);
        var scanner = new Scanner(new RulePack(import.Rules));
        var started = Environment.TickCount64;

        Assert.Empty(scanner.ScanText("{\"model\":\"claude\",\"messages\":[]}", Direction.Outbound));

        // Building all of them takes seconds; building none takes next to nothing.
        Assert.True(Environment.TickCount64 - started < 2000);
    }

    [Fact]
    public void Every_imported_regex_builds_on_the_non_backtracking_engine()
    {
        var import = GitleaksImporter.Load(SharedRules.Gitleaks);
        var regexes = import.Rules.Select(r => (Func<System.Text.RegularExpressions.Regex>)(() => r.Regex))
            .Concat(import.Rules.SelectMany(r => r.Allowlists).SelectMany(a => Enumerable.Range(0, a.Regexes.Count).Select(i => (Func<System.Text.RegularExpressions.Regex>)(() => a.Regexes[i]))))
            .ToList();

        var engines = regexes.AsParallel().Select(build => build().Options.HasFlag(System.Text.RegularExpressions.RegexOptions.NonBacktracking)).ToList();

        Assert.All(engines, Assert.True);
    }
}
