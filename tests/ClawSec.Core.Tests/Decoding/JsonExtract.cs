using ClawSec.Core.Decoding;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>Runs a <see cref="JsonStringExtractor"/> over text delivered in the given pieces.</summary>
internal static class JsonExtract
{
    public static string All(string json) => Chunks([json]);

    public static string SplitAt(string json, int offset) => Chunks([json[..offset], json[offset..]]);

    public static string Chunks(IEnumerable<string> chunks)
    {
        var sink = new TextRecorder();
        var extractor = new JsonStringExtractor(sink);
        foreach (var chunk in chunks)
        {
            extractor.Push(chunk);
        }

        extractor.Complete();
        Assert.Empty(sink.ContractViolations);
        return sink.Text;
    }

    public static IEnumerable<string> RandomChunks(string text, Random random)
    {
        int largest = random.Next(3) switch
        {
            0 => 1,
            1 => 12,
            _ => 6_000,
        };
        for (int offset = 0; offset < text.Length;)
        {
            int size = Math.Min(random.Next(1, largest + 1), text.Length - offset);
            yield return text.Substring(offset, size);
            offset += size;
        }
    }
}
