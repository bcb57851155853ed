using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using ClawSec.Core.Detection;
using Microsoft.Extensions.Logging;

namespace ClawSec.Proxy.Logging;

/// <summary>
/// Writes every log line to stderr and to the rotating <c>clawsec.log</c>, after passing it through the
/// scanner's redaction: framework lines (ASP.NET, YARP) can carry URLs and headers, and no secret may reach
/// the disk or the terminal through them.
/// </summary>
internal sealed class ClawSecLoggerProvider : ILoggerProvider
{
    private readonly Scanner _redactor;
    private readonly RotatingFileWriter? _file;
    private readonly TextWriter? _stderr;
    private readonly LogLevel _minimum;
    private readonly ConcurrentDictionary<string, Logger> _loggers = new(StringComparer.Ordinal);
    private readonly Lock _stderrLock = new();

    public ClawSecLoggerProvider(Scanner redactor, RotatingFileWriter? file, TextWriter? stderr, LogLevel minimum)
    {
        _redactor = redactor;
        _file = file;
        _stderr = stderr;
        _minimum = minimum;
    }

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, name => new Logger(this, ShortName(name)));

    public void Dispose() => _file?.Dispose();

    internal void Write(LogLevel level, string category, string message, Exception? exception)
    {
        // Kestrel warns that HTTP/2 needs TLS on the plain listener; intercepted tunnels do speak HTTP/2 (TLS is
        // added per tunnel, after CONNECT), so the warning would only mislead.
        if (category == "Kestrel" && message.StartsWith("HTTP/2 is not enabled for", StringComparison.Ordinal))
        {
            return;
        }

        var text = new StringBuilder(message.Length + 64)
            .Append(DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture))
            .Append(' ').Append(LevelName(level)).Append(' ').Append(category).Append(": ").Append(message);
        if (exception is not null)
        {
            text.Append(" | ").Append(exception.GetType().Name).Append(": ").Append(exception.Message);
        }

        var line = Redact(text.ToString().ReplaceLineEndings(" "));
        _file?.WriteLine(line);
        if (_stderr is not null)
        {
            lock (_stderrLock)
            {
                _stderr.WriteLine(line);
                _stderr.Flush();
            }
        }
    }

    private string Redact(string line)
    {
        try
        {
            return _redactor.RedactForLog(line);
        }
        catch (Exception)
        {
            // Redaction must never fail open: a line we cannot check is not written as it was.
            return "[log line withheld: redaction failed]";
        }
    }

    internal bool IsEnabled(LogLevel level) => level != LogLevel.None && level >= _minimum;

    private static string ShortName(string category)
    {
        var dot = category.LastIndexOf('.');
        return dot < 0 ? category : category[(dot + 1)..];
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO ",
        LogLevel.Warning => "WARN ",
        _ => "ERROR",
    };

    private sealed class Logger(ClawSecLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => provider.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, category, formatter(state, exception), exception);
            }
        }
    }
}
