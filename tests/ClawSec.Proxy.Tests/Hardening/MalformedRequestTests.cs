using System.Text;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Hardening;

/// <summary>
/// Malformed requests, sent on raw sockets, are answered 4xx (or closed) and never forwarded: the test's upstream
/// sees no request at all, not even a head. The same over an intercepted TLS connection to an upstream the monitor
/// trusts, so a well-formed request there would really be forwarded.
/// </summary>
public sealed class MalformedRequestTests(MonitorWithUpstreams fixture) : IClassFixture<MonitorWithUpstreams>
{
    private static readonly Dictionary<string, Func<string, string>> Requests = new()
    {
        ["garbage bytes"] = _ => "\u0001\u0002\u0003 not http at all\r\n\r\n",
        ["1 MiB request line"] = target => $"GET {target}/{new string('a', 1024 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n",
        ["100 KiB header block"] = target => $"GET {target}/h HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"X-Pad-{i}: {new string('b', 1000)}\r\n")) + "\r\n",
        ["header line without a colon"] = target => $"GET {target}/c HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n",
        ["negative Content-Length"] = target => $"POST {target}/n HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\nhello",
        ["huge Content-Length"] = target => $"POST {target}/n HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\nhello",
        ["non-numeric Content-Length"] = target => $"POST {target}/n HTTP/1.1\r\nHost: x\r\nContent-Length: five\r\n\r\nhello",
        ["conflicting Content-Lengths"] = target => $"POST {target}/n HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    };

    /// <summary>Chunked bodies whose framing breaks in the first chunk; each is sent in one write with its head.</summary>
    private static readonly Dictionary<string, string> BadChunks = new()
    {
        ["chunk size not hex"] = "zz\r\nhello\r\n0\r\n\r\n",
        ["negative chunk size"] = "-1\r\nhello\r\n0\r\n\r\n",
        ["chunk size with a 0x prefix"] = "0x5\r\nhello\r\n0\r\n\r\n",
        ["chunk size of 100 hex digits"] = new string('f', 100) + "\r\nhello\r\n0\r\n\r\n",
        ["chunk size past 31 bits"] = "80000000\r\nhello\r\n0\r\n\r\n",
        ["empty chunk size line"] = "\r\nhello\r\n0\r\n\r\n",
        ["chunk size line ended by a bare LF"] = "5\nhello\r\n0\r\n\r\n",
        ["chunk size line without its CRLF"] = "5hello\r\n0\r\n\r\n",
        ["chunk data without its CRLF"] = "5\r\nhelloXX0\r\n\r\n",
    };

    public static TheoryData<string, bool> Cases() => Both(Requests.Keys);

    public static TheoryData<string, bool> ChunkCases() => Both(BadChunks.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Malformed_request_is_rejected_and_never_forwarded(string name, bool overTls)
    {
        var upstream = fixture.UpstreamFor(overTls);
        var before = upstream.Heads.Count;

        var response = await SendAsync(Requests[name](fixture.TargetFor(overTls)), overTls);

        Assert.True(response.Length == 0 || response.StartsWith("HTTP/1.1 4", StringComparison.Ordinal), $"{name}: {response}");
        var settle = await fixture.SettleAsync(overTls);
        Assert.Equal([settle], upstream.Heads.Skip(before));
    }

    [Theory]
    [MemberData(nameof(ChunkCases))]
    public async Task Bad_chunk_framing_is_answered_400_and_not_even_the_head_reaches_the_upstream(string name, bool overTls)
    {
        var upstream = fixture.UpstreamFor(overTls);
        var before = upstream.Heads.Count;

        var response = await SendAsync(
            $"POST {fixture.TargetFor(overTls)}/chunks HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n" + BadChunks[name], overTls);

        Assert.StartsWith("HTTP/1.1 400", response);
        Assert.Contains("\r\nConnection: close\r\n", response);
        var settle = await fixture.SettleAsync(overTls);
        Assert.Equal([settle], upstream.Heads.Skip(before));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_bad_chunk_after_forwarding_began_aborts_the_upstream_request_and_never_completes_it(bool overTls)
    {
        var upstream = fixture.UpstreamFor(overTls);
        var path = $"/late-bad-chunk-{overTls}";
        await using var connection = await fixture.ConnectAsync(overTls);

        await connection.WriteAsync($"POST {fixture.TargetFor(overTls)}{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
        await upstream.HeadArrival(path).WaitAsync(TimeSpan.FromSeconds(20));
        await connection.WriteAsync("zz\r\nworld\r\n0\r\n\r\n");
        var response = await connection.ReadToEndAsync();

        Assert.True(response.Length == 0 || response.StartsWith("HTTP/1.1 4", StringComparison.Ordinal)
            || response.StartsWith("HTTP/1.1 5", StringComparison.Ordinal), response);
        await fixture.SettleAsync(overTls);
        Assert.DoesNotContain(upstream.Requests, r => r.PathAndQuery == path);
    }

    [Fact]
    public async Task Transfer_encoding_with_content_length_is_forwarded_without_the_content_length()
    {
        var response = await SendAsync(
            $"POST {fixture.Http.Url}/te HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", false);

        Assert.StartsWith("HTTP/1.1 ", response);
        var seen = fixture.Http.Requests.LastOrDefault(r => r.PathAndQuery == "/te");
        if (seen is not null)
        {
            Assert.False(seen.Headers.ContainsKey("Content-Length"));
            Assert.Equal("hello", Encoding.ASCII.GetString(seen.Body));
        }
        else
        {
            Assert.StartsWith("HTTP/1.1 4", response);
        }
    }

    private static TheoryData<string, bool> Both(IEnumerable<string> names)
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in names)
        {
            data.Add(name, false);
            data.Add(name, true);
        }

        return data;
    }

    /// <summary>Sends the bytes in one write, plain or inside an intercepted TLS tunnel, and reads what comes back first.</summary>
    private async Task<string> SendAsync(string request, bool overTls)
    {
        await using var connection = await fixture.ConnectAsync(overTls);
        await connection.WriteAsync(request);
        return await connection.ReadSomeAsync();
    }
}
