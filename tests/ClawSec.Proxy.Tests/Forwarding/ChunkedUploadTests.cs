using System.Text;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Forwarding;

/// <summary>
/// Chunked request bodies, written on raw sockets, plain and inside an intercepted TLS tunnel: the proxy decodes the
/// first chunk before it contacts the upstream, and waits for nothing more. A body whose later chunks arrive
/// apart is forwarded as it comes, whole and scanned; an empty body works; a body that expects <c>100 Continue</c> is
/// left unread until the upstream asks for it; a body that never comes is given up on.
/// </summary>
public sealed class ChunkedUploadTests(MonitorWithUpstreams fixture) : IClassFixture<MonitorWithUpstreams>
{
    private const string ChunkedHead = "Host: 127.0.0.1\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Chunks_that_arrive_apart_are_forwarded_as_they_come_whole_and_scanned(bool overTls)
    {
        var upstream = fixture.UpstreamFor(overTls);
        var path = $"/apart-{overTls}";
        var key = FakeSecrets.AwsAccessKey();
        var (first, second) = ("key=" + key[..10], key[10..] + " end");
        await using var connection = await fixture.ConnectAsync(overTls);

        await connection.WriteAsync($"POST {fixture.TargetFor(overTls)}{path} HTTP/1.1\r\n{ChunkedHead}\r\n{Chunk(first)}");
        // The upstream has the head while the rest of the body is still unsent: the proxy waited for one chunk only.
        await upstream.HeadArrival(path).WaitAsync(TimeSpan.FromSeconds(20));
        await connection.WriteAsync(Chunk(second));
        await connection.WriteAsync("0\r\n\r\n");
        var response = await connection.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 200", response);
        Assert.Equal(first + second, Encoding.ASCII.GetString(upstream.Requests.Single(r => r.PathAndQuery == path).Body));
        await fixture.Monitor.Threats.WaitForAsync(r =>
            ThreatLogFile.Get(r, "dest") == $"127.0.0.1:{upstream.Port}" && ThreatLogFile.Get(r, "pattern") == "aws_access_key");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_empty_chunked_body_is_forwarded(bool overTls)
    {
        var upstream = fixture.UpstreamFor(overTls);
        var path = $"/empty-{overTls}";
        await using var connection = await fixture.ConnectAsync(overTls);

        await connection.WriteAsync($"POST {fixture.TargetFor(overTls)}{path} HTTP/1.1\r\n{ChunkedHead}\r\n0\r\n\r\n");
        var response = await connection.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 200", response);
        Assert.Empty(upstream.Requests.Single(r => r.PathAndQuery == path).Body);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_chunked_body_that_expects_100_continue_is_sent_after_it_and_forwarded(bool overTls)
    {
        var upstream = fixture.UpstreamFor(overTls);
        var path = $"/continue-{overTls}";
        await using var connection = await fixture.ConnectAsync(overTls);

        await connection.WriteAsync($"POST {fixture.TargetFor(overTls)}{path} HTTP/1.1\r\n{ChunkedHead}Expect: 100-continue\r\n\r\n");
        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", await connection.ReadExactlyAsync(25));
        await connection.WriteAsync(Chunk("hello") + "0\r\n\r\n");
        var response = await connection.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 200", response);
        Assert.Equal("hello", Encoding.ASCII.GetString(upstream.Requests.Single(r => r.PathAndQuery == path).Body));
    }

    [Fact]
    public async Task An_upstream_that_refuses_a_body_expecting_100_continue_answers_before_the_client_is_told_to_send_it()
    {
        await using var refusing = await TestUpstream.StartAsync(
            context => { context.Response.StatusCode = 403; return Task.CompletedTask; },
            new TestUpstreamOptions { RecordBodies = false });
        // The upstream must answer within 1 s, after which the proxy's HTTP client stops waiting for 100 Continue and
        // asks for the body anyway: a first request gets the upstream's code paths and the proxy's connection to it ready.
        await using (var warm = await fixture.ConnectAsync(overTls: false))
        {
            await warm.WriteAsync($"GET {refusing.Url}/warm HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            Assert.StartsWith("HTTP/1.1 403", await warm.ReadToEndAsync());
        }

        await using var connection = await fixture.ConnectAsync(overTls: false);

        await connection.WriteAsync($"POST {refusing.Url}/refused HTTP/1.1\r\n{ChunkedHead}Expect: 100-continue\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 403", await connection.ReadSomeAsync());
    }

    [Fact]
    public async Task A_chunked_request_whose_body_never_comes_is_answered_408_within_the_activity_timeout_and_never_forwarded()
    {
        await using var monitor = await MonitorProcess.StartAsync(new { upstream_activity_timeout_secs = 1 });
        var before = fixture.Http.Heads.Count;
        await using var connection = await RawProxyConnection.OpenAsync(monitor);

        await connection.WriteAsync($"POST {fixture.Http.Url}/never HTTP/1.1\r\n{ChunkedHead}\r\n");

        Assert.StartsWith("HTTP/1.1 408", await connection.ReadSomeAsync());
        Assert.Equal(before, fixture.Http.Heads.Count);
    }

    private static string Chunk(string data) => $"{data.Length:x}\r\n{data}\r\n";
}
