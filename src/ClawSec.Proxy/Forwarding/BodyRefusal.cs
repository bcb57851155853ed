namespace ClawSec.Proxy.Forwarding;

/// <summary>Why a request was refused before it was forwarded, and the status the client is answered with.</summary>
internal sealed record BodyRefusal(int StatusCode, string Reason);
