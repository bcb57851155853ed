using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using ClawSec.Core.Detection;
using ClawSec.Core.Threats;
using Microsoft.Extensions.Logging;

namespace ClawSec.Proxy.Threats;

/// <summary>
/// The one writer of <c>threats.jsonl</c>. Connections publish detections to a bounded channel; a single consumer
/// deduplicates them and appends whole lines, flushed at once, so concurrent detections never tear or interleave
/// a line. The file is opened per batch, so a log deleted or moved away is recreated by the next detection. A
/// failed write (full disk) is rolled back to the last whole line and retried until it succeeds; records wait
/// in memory meanwhile.
/// </summary>
internal sealed partial class ThreatSink : IAsyncDisposable
{
    private const int MaxPendingLines = 100_000;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    // The log is read by people and scripts, not embedded in HTML: "+00:00" and "…" are written as they are.
    private static readonly JsonSerializerOptions LineOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = ThreatJsonContext.Default,
    };

    private readonly string _path;
    private readonly Deduplicator _dedup;
    private readonly ILogger _logger;
    private readonly Channel<Detection> _channel = Channel.CreateBounded<Detection>(
        new BoundedChannelOptions(65_536) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly List<byte[]> _pending = [];
    private readonly Task _consumer;
    private bool _failing;
    private long _written;

    public ThreatSink(string path, TimeSpan dedupWindow, ILogger logger)
    {
        _path = path;
        _dedup = new Deduplicator(dedupWindow);
        _logger = logger;
        _consumer = Task.Run(RunAsync);
    }

    public string Path => _path;

    /// <summary>Records written since start (after dedup).</summary>
    public long Written => Interlocked.Read(ref _written);

    public ValueTask PublishAsync(Detection detection, CancellationToken cancellationToken = default) =>
        _channel.Writer.TryWrite(detection) ? ValueTask.CompletedTask : _channel.Writer.WriteAsync(detection, cancellationToken);

    /// <summary>Stops taking detections and waits until every one taken is on disk (or the wait ends).</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        _channel.Writer.TryComplete();
        await _consumer.WaitAsync(timeout).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        try
        {
            await _consumer.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.DrainTimedOut(_logger, _pending.Count);
        }
    }

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        while (true)
        {
            bool more;
            if (_pending.Count == 0)
            {
                more = await reader.WaitToReadAsync().ConfigureAwait(false);
            }
            else
            {
                using var retry = new CancellationTokenSource(RetryDelay);
                try
                {
                    more = await reader.WaitToReadAsync(retry.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    more = true;
                }
            }

            while (reader.TryRead(out var detection))
            {
                Accept(detection);
            }

            if (_pending.Count > 0)
            {
                TryWritePending();
            }

            if (!more)
            {
                if (_pending.Count > 0)
                {
                    Log.LostOnExit(_logger, _pending.Count, _path);
                }

                return;
            }
        }
    }

    private void Accept(Detection d)
    {
        var direction = WireNames.Of(d.Direction);
        try
        {
            if (!_dedup.ShouldRecord(d.Finding.Rule.Name, d.Dest, direction, d.Finding.Value, d.Time))
            {
                return;
            }

            var threat = new Threat
            {
                Direction = direction,
                Protocol = d.Protocol,
                ThreatType = WireNames.Of(d.Finding.Rule.ThreatType),
                Pattern = d.Finding.Rule.Name,
                Snippet = d.Finding.Snippet,
                Source = d.Source,
                Dest = d.Dest,
                Timestamp = d.Time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture),
                Severity = WireNames.Of(d.Finding.Rule.Severity),
                RequestId = d.RequestId,
                Pid = d.Pid,
                Process = d.Process,
            };
            var json = JsonSerializer.SerializeToUtf8Bytes(threat, LineOptions.GetTypeInfo(typeof(Threat)));
            var line = new byte[json.Length + 1];
            json.CopyTo(line, 0);
            line[^1] = (byte)'\n';
            if (_pending.Count >= MaxPendingLines)
            {
                Log.PendingOverflow(_logger, MaxPendingLines);
                _pending.RemoveAt(0);
            }

            _pending.Add(line);
            Log.Threat(_logger, threat.ThreatType, threat.Pattern, threat.Direction, threat.Protocol, threat.Source, threat.Dest, d.RequestId, threat.Snippet);
        }
        catch (Exception ex)
        {
            Log.AcceptFailed(_logger, d.Finding.Rule.Name, ex);
        }
    }

    private void TryWritePending()
    {
        var total = 0;
        foreach (var line in _pending)
        {
            total += line.Length;
        }

        var buffer = new byte[total];
        var at = 0;
        foreach (var line in _pending)
        {
            line.CopyTo(buffer, at);
            at += line.Length;
        }

        FileStream? stream = null;
        long before = -1;
        try
        {
            stream = new FileStream(_path, new FileStreamOptions
            {
                Mode = FileMode.Append,
                Access = FileAccess.Write,
                Share = FileShare.ReadWrite | FileShare.Delete,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                // Unbuffered: a failed write fails here, where it can be cut back, not later in a flush on dispose.
                BufferSize = 0,
            });
            before = stream.Length;
            if (before > 0 && !EndsWithNewline(stream, before))
            {
                // A torn last line (a crash mid-write by an earlier run): end it, so this batch starts whole.
                stream.Write("\n"u8);
            }

            stream.Write(buffer);
            stream.Flush();
            Interlocked.Add(ref _written, _pending.Count);
            _pending.Clear();
            if (_failing)
            {
                _failing = false;
                Log.WriteResumed(_logger, _path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            RollBack(stream, before);
            stream = null;
            if (!_failing)
            {
                _failing = true;
                Log.WriteFailed(_logger, _path, _pending.Count, ex);
            }
        }
        finally
        {
            DisposeQuietly(stream);
        }
    }

    private static bool EndsWithNewline(FileStream stream, long length)
    {
        using var reader = new FileStream(stream.Name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        reader.Seek(length - 1, SeekOrigin.Begin);
        return reader.ReadByte() == '\n';
    }

    /// <summary>Cuts a partly written batch off again, so the file only ever holds whole lines.</summary>
    private static void RollBack(FileStream? stream, long before)
    {
        if (stream is null || before < 0)
        {
            return;
        }

        try
        {
            stream.SetLength(before);
        }
        catch (IOException)
        {
            // Could not cut it off; the reader skips a torn line.
        }

        DisposeQuietly(stream);
    }

    private static void DisposeQuietly(FileStream? stream)
    {
        try
        {
            stream?.Dispose();
        }
        catch (IOException)
        {
            // The buffered tail could not be flushed; the batch stays pending.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "THREAT {ThreatType} {Pattern} {Direction} {Protocol} {Source} -> {Dest} [{RequestId}] {Snippet}")]
        public static partial void Threat(ILogger logger, string threatType, string pattern, string direction, string protocol, string source, string dest, string requestId, string snippet);

        [LoggerMessage(2, LogLevel.Error, "Cannot write the threat log {Path}; {Count} record(s) held in memory and retried every second")]
        public static partial void WriteFailed(ILogger logger, string path, int count, Exception exception);

        [LoggerMessage(3, LogLevel.Warning, "Writing the threat log {Path} works again")]
        public static partial void WriteResumed(ILogger logger, string path);

        [LoggerMessage(4, LogLevel.Error, "More than {Max} threat records are waiting for the disk; the oldest is dropped")]
        public static partial void PendingOverflow(ILogger logger, int max);

        [LoggerMessage(5, LogLevel.Error, "{Count} threat record(s) could not be written to {Path} before exit")]
        public static partial void LostOnExit(ILogger logger, int count, string path);

        [LoggerMessage(6, LogLevel.Error, "Could not record a {Pattern} finding")]
        public static partial void AcceptFailed(ILogger logger, string pattern, Exception exception);

        [LoggerMessage(7, LogLevel.Error, "The threat log was not drained within the shutdown timeout; {Count} record(s) pending")]
        public static partial void DrainTimedOut(ILogger logger, int count);
    }
}
