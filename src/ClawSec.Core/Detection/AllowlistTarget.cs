namespace ClawSec.Core.Detection;

/// <summary>What an allowlist's regexes are matched against.</summary>
public enum AllowlistTarget
{
    /// <summary>The secret: the rule's <see cref="Rule.SecretGroup"/>, or the whole match.</summary>
    Secret,

    /// <summary>The whole match.</summary>
    Match,

    /// <summary>
    /// The line holding the match, bounded to 124 characters before the match and 652 after its start (what a
    /// stream keeps around a match for its snippet): a body can be one megabyte-long line.
    /// </summary>
    Line,
}
