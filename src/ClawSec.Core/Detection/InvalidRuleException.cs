namespace ClawSec.Core.Detection;

/// <summary>A user rule that cannot be compiled; the message names the rule and what is wrong with it.</summary>
public sealed class InvalidRuleException : Exception
{
    public InvalidRuleException()
    {
        RuleName = "";
    }

    public InvalidRuleException(string message)
        : base(message)
    {
        RuleName = "";
    }

    public InvalidRuleException(string message, Exception innerException)
        : base(message, innerException)
    {
        RuleName = "";
    }

    public InvalidRuleException(string ruleName, string problem, Exception? innerException = null)
        : base($"rule \"{ruleName}\": {problem}", innerException)
    {
        RuleName = ruleName;
    }

    public string RuleName { get; }
}
