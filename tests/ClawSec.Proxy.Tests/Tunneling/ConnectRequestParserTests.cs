using System.Buffers;
using System.Text;
using ClawSec.Proxy.Tunneling;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClawSec.Proxy.Tests.Tunneling;

/// <summary>
/// The CONNECT recogniser sees raw client bytes before Kestrel does: every truncated prefix must ask for more,
/// any split into segments must give the same answer, and no input may make it throw.
/// </summary>
public sealed class ConnectRequestParserTests
{
    private const string Head = "CONNECT api.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\nProxy-Authorization: Basic YTpi\r\n\r\n";

    [Fact]
    public void A_whole_head_is_parsed_and_what_follows_it_is_left()
    {
        var bytes = Encoding.ASCII.GetBytes(Head + "\u0016\u0003\u0001rest");

        var status = ConnectRequestParser.TryParse(new ReadOnlySequence<byte>(bytes), out var request, out var consumed, out _);

        Assert.Equal(ConnectParseStatus.Parsed, status);
        Assert.Equal(Head.Length, consumed);
        Assert.Equal("api.example.com", request!.Host);
        Assert.Equal(443, request.Port);
        Assert.Equal("Basic YTpi", request.Header("proxy-authorization"));
    }

    [Fact]
    public void Every_truncated_prefix_asks_for_more_and_consumes_nothing()
    {
        var bytes = Encoding.ASCII.GetBytes(Head);
        for (var length = 0; length < bytes.Length; length++)
        {
            var status = ConnectRequestParser.TryParse(new ReadOnlySequence<byte>(bytes, 0, length), out _, out var consumed, out _);
            Assert.Equal(ConnectParseStatus.NeedMoreData, status);
            Assert.Equal(0, consumed);
        }
    }

    [Theory]
    [InlineData("GET http://x/ HTTP/1.1\r\n\r\n")]
    [InlineData("CONNEC\u0000")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("connect x:1 HTTP/1.1\r\n\r\n")]
    public void Anything_else_goes_to_kestrel_untouched(string text)
    {
        var status = ConnectRequestParser.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), out _, out var consumed, out _);

        Assert.Equal(ConnectParseStatus.NotConnect, status);
        Assert.Equal(0, consumed);
    }

    [Theory]
    [InlineData("CONNECT example.com HTTP/1.1\r\n\r\n")]
    [InlineData("CONNECT example.com:0 HTTP/1.1\r\n\r\n")]
    [InlineData("CONNECT example.com:70000 HTTP/1.1\r\n\r\n")]
    [InlineData("CONNECT [::1 HTTP/1.1\r\n\r\n")]
    [InlineData("CONNECT a b:1 HTTP/1.1\r\n\r\n")]
    [InlineData("CONNECT exa mple.com:443 HTTP/1.1\r\n\r\n")]
    [InlineData("CONNECT example.com:443 HTTP/2\r\n\r\n")]
    [InlineData("CONNECT example.com:443 HTTP/1.1\r\nNoColon\r\n\r\n")]
    [InlineData("CONNECT example.com:443 HTTP/1.1\r\nBad Name: x\r\n\r\n")]
    public void A_malformed_connect_is_invalid(string text)
    {
        var status = ConnectRequestParser.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), out _, out _, out var error);

        Assert.Equal(ConnectParseStatus.Invalid, status);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void A_head_that_never_ends_is_invalid_once_it_passes_the_limit()
    {
        var text = "CONNECT example.com:443 HTTP/1.1\r\n" + new string('x', ConnectRequestParser.MaxHeadBytes);

        Assert.Equal(ConnectParseStatus.Invalid,
            ConnectRequestParser.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), out _, out _, out _));
    }

    [Property(MaxTest = 500)]
    public void Arbitrary_bytes_never_throw(byte[] bytes, bool withPrefix)
    {
        var input = withPrefix ? [.. "CONNECT "u8.ToArray(), .. bytes] : bytes;

        var status = ConnectRequestParser.TryParse(new ReadOnlySequence<byte>(input), out _, out var consumed, out _);

        Assert.InRange(consumed, 0, input.Length);
        Assert.True(status != ConnectParseStatus.Parsed || consumed > 0);
    }

    [Property(MaxTest = 200)]
    public Property The_answer_does_not_depend_on_how_the_bytes_are_segmented() =>
        Prop.ForAll(Gen.Choose(1, 40).ListOf().ToArbitrary(), sizes =>
        {
            var bytes = Encoding.ASCII.GetBytes(Head + "tail");
            var whole = ConnectRequestParser.TryParse(new ReadOnlySequence<byte>(bytes), out var expected, out var expectedConsumed, out _);
            var segmented = ConnectRequestParser.TryParse(Segments.Of(bytes, sizes), out var actual, out var consumed, out _);
            return whole == segmented && expectedConsumed == consumed && expected!.Dest == actual!.Dest;
        });

    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Of(byte[] bytes, IEnumerable<int> sizes)
        {
            var first = new Segments(bytes.AsMemory(0, 0), 0);
            var last = first;
            var at = 0;
            foreach (var size in sizes.Append(bytes.Length))
            {
                var take = Math.Min(size, bytes.Length - at);
                if (take <= 0)
                {
                    break;
                }

                var next = new Segments(bytes.AsMemory(at, take), at);
                last.Next = next;
                last = next;
                at += take;
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
