using System.Text;
using ClawSec.Core.Decoding;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>Collects text chunks and notes any that break the sink's contract.</summary>
internal sealed class TextRecorder : ITextSink
{
    private readonly StringBuilder _text = new();

    public string Text => _text.ToString();

    public List<string> Chunks { get; } = [];

    public List<string> ContractViolations { get; } = [];

    public void OnText(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            ContractViolations.Add("empty chunk");
        }
        else if (_text.Length > 0 && char.IsHighSurrogate(_text[^1]) && char.IsLowSurrogate(text[0]))
        {
            ContractViolations.Add($"surrogate pair cut between chunks at {_text.Length}");
        }

        Chunks.Add(text.ToString());
        _text.Append(text);
    }
}
