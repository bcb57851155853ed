namespace ClawSec.Core.Decoding;

/// <summary>One dispatched server-sent event.</summary>
/// <param name="Type">The <c>event:</c> field, or <c>message</c> when there was none.</param>
/// <param name="Data">The <c>data:</c> lines joined with <c>\n</c>.</param>
/// <param name="LastEventId">The last <c>id:</c> seen in the stream so far, or empty.</param>
public readonly record struct SseEvent(string Type, string Data, string LastEventId);
