namespace ClawSec.Proxy.Inspection;

/// <summary>Where a message travels: what every threat from it is attributed to.</summary>
/// <param name="Protocol"><c>http</c>, <c>https</c>, <c>ws</c>, <c>wss</c> or <c>gateway</c>.</param>
/// <param name="Source">The client's address.</param>
/// <param name="Dest">The upstream as <c>host:port</c>.</param>
/// <param name="Host">The upstream host name alone.</param>
/// <param name="RequestId">The id the text log uses for this request.</param>
internal sealed record MessageContext(string Protocol, string Source, string Dest, string Host, string RequestId);
