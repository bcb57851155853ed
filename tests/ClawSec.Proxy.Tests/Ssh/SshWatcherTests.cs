using System.Net;
using System.Net.Sockets;
using ClawSec.Proxy.Ssh;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Ssh;

public sealed class SshWatcherTests
{
    [Fact]
    public async Task A_new_connection_to_the_ssh_port_is_reported_once_with_its_owner()
    {
        using var sshd = new TcpListener(IPAddress.Loopback, 0);
        sshd.Start();
        var sshPort = ((IPEndPoint)sshd.LocalEndpoint).Port;
        await using var monitor = await MonitorProcess.StartAsync(new { enable_ssh_watcher = true, ssh_port = sshPort, ssh_poll_interval = 0.2 });

        using var first = new TcpClient(AddressFamily.InterNetwork);
        await first.ConnectAsync(IPAddress.Loopback, sshPort);
        var firstLocal = ((IPEndPoint)first.Client.LocalEndPoint!).ToString();
        var record = await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "source") == firstLocal, TimeSpan.FromSeconds(10));

        Assert.Equal("SSH_CONNECT", ThreatLogFile.Get(record, "threat_type"));
        Assert.Equal("established_connection", ThreatLogFile.Get(record, "pattern"));
        Assert.Equal("ssh", ThreatLogFile.Get(record, "protocol"));
        Assert.Equal($"127.0.0.1:{sshPort}", ThreatLogFile.Get(record, "dest"));
        Assert.Equal(Environment.ProcessId, record.GetProperty("pid").GetInt32());

        // A second connection, reported by a later poll that still saw the first one up: the first stays at one record.
        using var second = new TcpClient(AddressFamily.InterNetwork);
        await second.ConnectAsync(IPAddress.Loopback, sshPort);
        var secondLocal = ((IPEndPoint)second.Client.LocalEndPoint!).ToString();
        await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "source") == secondLocal, TimeSpan.FromSeconds(10));
        Assert.Single(monitor.Threats.ReadAll(), r => ThreatLogFile.Get(r, "source") == firstLocal);
    }

    [Fact]
    public void Proc_net_tcp_rows_parse_to_endpoints_state_and_inode()
    {
        const string table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:9C40 0100007F:0016 01 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 20 4 30 10 -1
               1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 100 0 0 10 0
            garbage line
            """;

        var rows = ProcNetTcp.Parse(table).ToList();

        Assert.Equal(2, rows.Count);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 40000), rows[0].Local);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 22), rows[0].Remote);
        Assert.Equal(TcpConnection.Established, rows[0].State);
        Assert.Equal(123456, rows[0].Inode);
        Assert.Equal(0x0A, rows[1].State);
    }

    [Fact]
    public void Ipv6_rows_parse_word_by_word()
    {
        Assert.True(ProcNetTcp.TryParseEndpoint("00000000000000000000000001000000:0016", out var loopback));
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 22), loopback);
        Assert.True(ProcNetTcp.TryParseEndpoint("0000000000000000FFFF00000100007F:0016", out var mapped));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 22), mapped);
    }

    [Fact]
    public void Bsd_netstat_rows_parse_where_there_is_no_proc()
    {
        var rows = NetstatFallback.Parse("""
            Active Internet connections (including servers)
            Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)
            tcp4       0      0  192.168.1.5.51234      10.0.0.1.22            ESTABLISHED
            tcp4       0      0  *.22                   *.*                    LISTEN
            """);

        var row = Assert.Single(rows);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 22), row.Remote);
    }
}
