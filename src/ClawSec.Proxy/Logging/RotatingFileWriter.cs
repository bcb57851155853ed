using System.Text;

namespace ClawSec.Proxy.Logging;

/// <summary>
/// Appends lines to a text log that rotates at a size limit, keeping a fixed number of old files
/// (<c>clawsec.log.1</c> … <c>.N</c>). Thread-safe. A write that fails (full disk) is dropped, never thrown:
/// the text log must not take the proxy down.
/// </summary>
internal sealed class RotatingFileWriter : IDisposable
{
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly int _keep;
    private readonly Lock _lock = new();
    private FileStream? _stream;
    private long _length;

    public RotatingFileWriter(string path, long maxBytes = 10 * 1024 * 1024, int keep = 3)
    {
        _path = path;
        _maxBytes = maxBytes;
        _keep = keep;
    }

    public void WriteLine(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (_lock)
        {
            try
            {
                if (_stream is null || !File.Exists(_path))
                {
                    Reopen();
                }

                if (_length > 0 && _length + bytes.Length > _maxBytes)
                {
                    Rotate();
                }

                _stream!.Write(bytes);
                _stream.Flush();
                _length += bytes.Length;
            }
            catch (IOException)
            {
                // Full disk or a vanished directory: drop this line; the next write tries again.
                CloseStream();
            }
            catch (UnauthorizedAccessException)
            {
                CloseStream();
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            CloseStream();
        }
    }

    private void Reopen()
    {
        CloseStream();
        _stream = new FileStream(_path, new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.ReadWrite | FileShare.Delete,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        _length = _stream.Length;
    }

    private void Rotate()
    {
        CloseStream();
        for (var i = _keep - 1; i >= 1; i--)
        {
            var from = $"{_path}.{i}";
            if (File.Exists(from))
            {
                File.Move(from, $"{_path}.{i + 1}", overwrite: true);
            }
        }

        File.Move(_path, _path + ".1", overwrite: true);
        Reopen();
    }

    private void CloseStream()
    {
        try
        {
            _stream?.Dispose();
        }
        catch (IOException)
        {
            // Flushing a buffered tail onto a full disk; nothing more to do.
        }

        _stream = null;
    }
}
