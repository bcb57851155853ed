using System.Text.Json;

namespace ClawSec.Proxy.Tests.Infrastructure;

/// <summary>The monitor's threats.jsonl as a test reads it: every line must be a whole JSON object.</summary>
internal sealed class ThreatLogFile(string path)
{
    public string Path => path;

    public IReadOnlyList<JsonElement> ReadAll()
    {
        if (!File.Exists(path))
        {
            return [];
        }

        string text;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var reader = new StreamReader(stream))
        {
            text = reader.ReadToEnd();
        }

        Assert.True(text.Length == 0 || text.EndsWith('\n'), "the threat log ends in the middle of a line");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();
    }

    /// <summary>
    /// Waits until the log holds a record matching <paramref name="predicate"/>, woken by file-system events
    /// (with a periodic re-check, since such events can coalesce).
    /// </summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> predicate, TimeSpan? timeout = null) =>
        (await WaitForCountAsync(predicate, 1, timeout))[0];

    /// <summary>Waits until at least <paramref name="count"/> records match; returns every record that matches.</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitForCountAsync(Func<JsonElement, bool> predicate, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        var directory = System.IO.Path.GetDirectoryName(path)!;
        using var changed = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(directory, System.IO.Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.Size | NotifyFilters.LastWrite | NotifyFilters.FileName,
        };
        watcher.Changed += (_, _) => changed.Release();
        watcher.Created += (_, _) => changed.Release();
        watcher.EnableRaisingEvents = true;
        while (true)
        {
            var matches = ReadAll().Where(predicate).ToList();
            if (matches.Count >= count)
            {
                return matches;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"fewer than {count} matching threat(s) in {path}; it holds: {string.Join("\n", ReadAll())}");
            }

            await changed.WaitAsync(TimeSpan.FromMilliseconds(Math.Min(100, left.TotalMilliseconds)));
        }
    }

    public static string Get(JsonElement record, string name) => record.GetProperty(name).GetString()!;
}
