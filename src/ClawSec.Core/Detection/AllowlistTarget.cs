namespace ClawSec.Core.Detection;

/// <summary>What an allowlist's regexes are matched against.</summary>
public enum AllowlistTarget
{
    /// <summary>The secret: the rule's <see cref="Rule.SecretGroup"/>, or the whole match.</summary>
    Secret,

    /// <summary>The whole match.</summary>
    Match,

    /// <summary>
    /// The line holding the match, bounded to <see cref="Rule.MaxLookbehind"/> characters before the match and the
    /// rule's <see cref="Rule.MaxMatchLength"/> after its start: a body can be one megabyte-long line.
    /// </summary>
    Line,
}
