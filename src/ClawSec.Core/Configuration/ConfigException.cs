namespace ClawSec.Core.Configuration;

/// <summary>A bad configuration: the message is one line naming the file (or variable), the key and the problem.</summary>
public sealed class ConfigException(string message) : Exception(Messages.OneLine(message));
