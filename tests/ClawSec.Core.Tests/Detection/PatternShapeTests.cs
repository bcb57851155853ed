using ClawSec.Core.Detection;

namespace ClawSec.Core.Tests.Detection;

/// <summary>
/// What the shape of a translated pattern says: how far before its keyword a match can start, and how far a search
/// must see for a match of unbounded length to be found cut short. A wrong answer would miss matches, so each case
/// pins the figure, and the cases where no sound answer exists give none.
/// </summary>
public sealed class PatternShapeTests
{
    private const string GenericApiKey =
        """(?i)[\w.-]{0,50}?(?:access|auth|(?-i:[Aa]pi|API)|credential|creds|key|passw(?:or)?d|secret|token)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([\w.=-]{10,150}|[a-z0-9][a-z0-9+/]{11,}={0,3})(?:[\x60'"\s;]|\\[nr]|$)""";

    private static readonly string[] GenericKeywords = ["access", "api", "auth", "key", "credential", "creds", "passwd", "password", "secret", "token"];

    private static PatternShape Shape(string re2) => PatternShape.Parse(Re2Translator.Translate(re2).Pattern!)!;

    [Fact]
    public void Generic_api_key_starts_at_most_fifty_characters_before_its_keyword()
    {
        Assert.Equal(50, Shape(GenericApiKey).KeywordLead(GenericKeywords));
    }

    [Fact]
    public void Generic_api_key_is_searched_as_far_as_its_match_with_the_unbounded_run_at_its_shortest()
    {
        // Each part's longest: the prefix, "credential", the gap, quotes, ":::=", quotes, the bounded value
        // (longer than the unbounded one at its shortest, 1 + 11 + 3), the closing "\n".
        var expected = 50 + 10 + 20 + 3 + 4 + 5 + Math.Max(150, 1 + 11 + 3) + 2;
        Assert.Equal(expected, Shape(GenericApiKey).TruncatableReach());
    }

    [Theory]
    [InlineData(@"(?i)[\w.-]{0,50}?(?:adafruit)(?:[ \t\w.-]{0,20})[\s'""]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'""\s=]{0,5}([a-z0-9_-]{32})(?:[\x60'""\s;]|\\[nr]|$)", "adafruit", 50)]
    [InlineData(@"\b(ghp_[0-9a-zA-Z]{36})", "ghp_", 0)]
    [InlineData(@"(?:ghp|gho)_[0-9a-zA-Z]{36}", "gh", 0)]
    [InlineData(@"[a-z]{3}(?:sk|pk)_(?:test|live)_[a-z]{10}", "_live_,_test_", 5)]
    [InlineData(@"[a-z]{3}(?:sk|pk)_(?:test|live)_[a-z]{10}", "sk,pk", 3)]
    [InlineData(@"[a-z]{0,3}(?-i:[Aa]pi|API)_[a-z]{10}", "api", 3)]
    [InlineData(@"(?i)[a-z]{0,3}passw(?:or)?d[a-z]{10}", "password,passwd", 3)]
    [InlineData(@"(?i)[a-z]{0,3}PASSW(?:OR)?D[a-z]{10}", "password,passwd", 3)]
    [InlineData(@"[a-z]{2}(?:xoxb|xoxp)-[0-9]{10}", "xox", 2)]
    public void The_lead_comes_from_the_first_stretch_every_string_of_which_holds_a_keyword(string re2, string keywords, int lead)
    {
        Assert.Equal(lead, Shape(re2).KeywordLead(keywords.Split(',')));
    }

    [Theory]
    [InlineData(@"[a-z]{3}(?:sk|pk)_(?:test|live)_[a-z]{10}", "_test_")]
    [InlineData(@"[a-z]{3}(?:sk|pk)_[a-z]{10}", "sk_")]
    [InlineData(@"(?i)[a-z]{0,3}passw(?:or)?d[a-z]{10}", "password")]
    [InlineData(@"x{2,4}(?:ab|cd)+key", "key")]
    [InlineData(@"[a-z]*token", "token")]
    [InlineData(@"(?:token|[0-9]{4})=[a-z]{10}", "token")]
    public void A_stretch_with_any_string_lacking_a_keyword_bounds_nothing(string re2, string keywords)
    {
        Assert.Null(Shape(re2).KeywordLead(keywords.Split(',')));
    }

    [Theory]
    [InlineData(@"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S-]{64,}?KEY(?: BLOCK)?-----")]
    [InlineData(@"ey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9/\\_-]{17,}\.(?:[a-zA-Z0-9/\\_-]{10,}={0,2})?")]
    [InlineData(@"token=([a-z0-9]{10,})(?:\s|[a-z]+|$)")]
    [InlineData(@"token=([a-z0-9]{10,}[a-z]{2,})(?:\s|$)")]
    [InlineData(@"token=([a-z0-9]{10,150})(?:\s|$)")]
    public void Only_a_run_followed_by_what_may_be_empty_and_the_end_of_the_text_can_be_cut(string re2)
    {
        Assert.Null(Shape(re2).TruncatableReach());
    }

    [Theory]
    [InlineData(@"token=([a-z0-9]{10,})(?:\s|$)", 6 + 10 + 1)]
    [InlineData(@"(?:key|token)=(?:[a-f0-9]{32}|[a-z0-9]{12,}={0,2})(?:[;\s]|$)", 6 + 32 + 1)]
    public void A_run_before_an_end_of_text_alternative_can_be_cut(string re2, int reach)
    {
        Assert.Equal(reach, Shape(re2).TruncatableReach());
    }

    [Theory]
    [InlineData(@"(?=x)abc")]
    [InlineData(@"(?<name>abc)")]
    [InlineData(@"a\1")]
    public void Constructs_outside_the_subset_give_no_shape(string pattern)
    {
        Assert.Null(PatternShape.Parse(pattern));
    }

    [Fact]
    public void Huge_repeats_saturate_rather_than_wrap_and_an_unreadable_count_gives_no_shape()
    {
        var nested = PatternShape.Parse("token=(?:(?:(?:(?:a{100000}){100000}){100000}){100000})(?:[ab]{100000}){100000}(?:\\s|\\z)")!;

        Assert.Equal(int.MaxValue, nested.MaxMatchLength);
        Assert.Equal(0, nested.KeywordLead(["token"]));
        Assert.Null(nested.TruncatableReach());
        Assert.Null(PatternShape.Parse("a{99999999999}"));
    }

    [Fact]
    public void The_imported_generic_rule_takes_the_derived_lead_and_reach()
    {
        var rule = GitleaksImporter.Load(SharedRules.Gitleaks).Rules.Single(r => r.Name == "gitleaks:generic-api-key");

        Assert.Equal(50, rule.MaxKeywordOffset);
        Assert.Equal(Shape(GenericApiKey).TruncatableReach() + GitleaksImporter.TruncationMargin, rule.MaxMatchLength);
    }
}
