using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClawSec.Proxy.Tests.Infrastructure;

/// <summary>
/// A real <c>clawsec start</c> process on a free port with its own log_dir, as a user runs it. Start-up is awaited
/// on the line the monitor prints once it listens.
/// </summary>
internal sealed class MonitorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MonitorProcess(Process process, string logDir, string configPath, int port)
    {
        _process = process;
        LogDir = logDir;
        ConfigPath = configPath;
        Port = port;
        Threats = new ThreatLogFile(Path.Combine(logDir, "threats.jsonl"));
    }

    public static string ClawSecDll => Path.Combine(AppContext.BaseDirectory, "clawsec.dll");

    public string LogDir { get; }
    public string ConfigPath { get; }
    public int Port { get; }
    public int Pid => _process.Id;
    public ThreatLogFile Threats { get; }
    public string ProxyUrl => $"http://127.0.0.1:{Port}";
    public string Stderr { get { lock (_stderr) { return _stderr.ToString(); } } }
    public bool HasExited => _process.HasExited;

    /// <summary>A fresh log_dir under the system temp folder.</summary>
    public static string NewLogDir() => Path.Combine(Path.GetTempPath(), "clawsec-tests", Guid.NewGuid().ToString("N")[..12]);

    public static async Task<MonitorProcess> StartAsync(
        object? settings = null, IReadOnlyDictionary<string, string>? environment = null, string[]? extraArgs = null,
        string? logDir = null, int? port = null)
    {
        logDir ??= NewLogDir();
        Directory.CreateDirectory(Path.GetDirectoryName(logDir)!);
        var chosenPort = port ?? FreePort.Next();
        var config = settings is null ? new JsonObject() : JsonSerializer.SerializeToNode(settings)!.AsObject();
        config["proxy_port"] ??= chosenPort;
        config["log_dir"] ??= logDir;
        config["enable_gateway_proxy"] ??= false;
        config["enable_ssh_watcher"] ??= false;
        var configPath = logDir + ".json";
        await File.WriteAllTextAsync(configPath, config.ToJsonString());

        var args = new List<string> { ClawSecDll, "start", "--config", configPath };
        args.AddRange(extraArgs ?? []);
        var process = new Process { StartInfo = ProcessRunner.CreateStartInfo("dotnet", args, environment), EnableRaisingEvents = true };
        var monitor = new MonitorProcess(process, logDir, configPath, (int)config["proxy_port"]!);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (monitor._stdout)
            {
                monitor._stdout.AppendLine(e.Data);
            }

            if (e.Data.StartsWith("ClawSec running", StringComparison.Ordinal))
            {
                monitor._listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (monitor._stderr)
                {
                    monitor._stderr.AppendLine(e.Data);
                }
            }
        };
        process.Exited += (_, _) => monitor._listening.TrySetException(new InvalidOperationException("clawsec exited during start-up"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await monitor._listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (Exception ex)
        {
            await monitor.DisposeAsync();
            throw new InvalidOperationException($"clawsec did not start: {ex.Message}\n{monitor.Stderr}", ex);
        }

        return monitor;
    }

    /// <summary>Runs another clawsec command against this monitor's configuration.</summary>
    public Task<ProcessResult> CliAsync(params string[] args) => Cli(ConfigPath, args);

    public static Task<ProcessResult> Cli(string? configPath, params string[] args)
    {
        var all = new List<string> { ClawSecDll };
        all.AddRange(args);
        if (configPath is not null)
        {
            all.Add("--config");
            all.Add(configPath);
        }

        return ProcessRunner.RunAsync("dotnet", all);
    }

    public HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        Proxy = new WebProxy(ProxyUrl),
        UseProxy = true,
        AllowAutoRedirect = false,
    }) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>SIGTERM, then waits for the process to exit.</summary>
    public async Task<int> TerminateAsync(TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            Signals.Send(_process.Id, Signals.SigTerm);
            await _process.WaitForExitAsync(new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20)).Token);
        }

        return _process.ExitCode;
    }

    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(new CancellationTokenSource(timeout).Token);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                Signals.Send(_process.Id, Signals.SigTerm);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await _process.WaitForExitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
