using System.Text;
using ClawSec.Core.Decoding;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>Collects what the decoder yields and notes any call that breaks the sink's contract.</summary>
internal sealed class RecordingSink : IWebSocketPayloadSink
{
    private readonly List<byte> _current = [];
    private WebSocketOpcode? _opcode;

    public List<(WebSocketOpcode Opcode, byte[] Payload)> Messages { get; } = [];

    public List<(WebSocketOpcode Opcode, byte[] Payload)> ControlFrames { get; } = [];

    /// <summary>Messages and control frames in the order they completed, independent of how payload was chunked.</summary>
    public List<string> Transcript { get; } = [];

    public List<string> ContractViolations { get; } = [];

    public List<string> Texts => [.. Messages.Select(m => Encoding.UTF8.GetString(m.Payload))];

    public void OnMessageStart(WebSocketOpcode opcode)
    {
        if (_opcode is not null)
        {
            ContractViolations.Add("message started inside a message");
        }

        if (opcode is not (WebSocketOpcode.Text or WebSocketOpcode.Binary))
        {
            ContractViolations.Add($"message started with {opcode}");
        }

        _opcode = opcode;
        _current.Clear();
    }

    public void OnPayload(ReadOnlySpan<byte> data)
    {
        if (_opcode is null)
        {
            ContractViolations.Add("payload outside a message");
        }

        if (data.IsEmpty)
        {
            ContractViolations.Add("empty payload");
        }

        _current.AddRange(data);
    }

    public void OnMessageEnd()
    {
        if (_opcode is not { } opcode)
        {
            ContractViolations.Add("message ended without a start");
            return;
        }

        Messages.Add((opcode, [.. _current]));
        Transcript.Add($"{opcode} {Convert.ToHexString([.. _current])}");
        _opcode = null;
    }

    public void OnControlFrame(WebSocketOpcode opcode, ReadOnlySpan<byte> payload)
    {
        ControlFrames.Add((opcode, payload.ToArray()));
        Transcript.Add($"{opcode} {Convert.ToHexString(payload)}");
    }
}
