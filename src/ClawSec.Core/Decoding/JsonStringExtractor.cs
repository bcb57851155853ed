namespace ClawSec.Core.Decoding;

/// <summary>
/// Turns JSON text, pushed in pieces of any size, into the text a reader sees once its strings are unescaped:
/// <c>\n</c>, <c>\"</c>, <c>\/</c>, <c>\uXXXX</c> (surrogate pairs too) and the rest become the characters they
/// stand for, in place. A string whose content is JSON again, such as a tool call's <c>arguments</c>, is
/// unescaped the same way (up to six levels), so <c>"{\"key\":\"sk-…\"}"</c> gives <c>"{"key":"sk-…"}"</c>
/// and the key appears as plain text.
/// </summary>
/// <remarks>
/// Everything between strings (keys' quotes, colons, numbers) is kept, so rules that look for
/// <c>"password": "…"</c> still see it. Input is JSON when it starts (after whitespace) with <c>{</c> or
/// <c>[</c>; otherwise, and from the first character that cannot stand between JSON strings, it is passed
/// through unchanged, so text that is not JSON comes out as it went in. Escapes split across pushes are
/// joined; the output does not depend on how the input was chunked.
/// </remarks>
public sealed class JsonStringExtractor : ITextSink
{
    private readonly TextOutput _output;
    private readonly JsonTextLevel _top;

    public JsonStringExtractor(ITextSink output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = new TextOutput(output);
        _top = new JsonTextLevel(_output, depth: 0);
    }

    /// <summary>Decodes the next piece of JSON text.</summary>
    public void Push(ReadOnlySpan<char> json)
    {
        _top.Push(json);
        _output.Flush();
    }

    /// <summary>Same as <see cref="Push"/>, so an extractor can take the output of another decoder.</summary>
    void ITextSink.OnText(ReadOnlySpan<char> text) => Push(text);

    /// <summary>The text has ended: delivers what is held back (an unfinished escape is copied as written).</summary>
    /// <remarks>The extractor can then take a new, unrelated text.</remarks>
    public void Complete()
    {
        _top.Complete();
        _output.FlushAll();
    }
}
