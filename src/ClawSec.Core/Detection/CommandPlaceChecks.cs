using System.Buffers;

namespace ClawSec.Core.Detection;

/// <summary>
/// <see cref="PlaceCheck"/>s of the command rules: what a command must hold, before its line or command ends, for the
/// rule's regex to match it. <c>CommandPlaceCheckTests</c> checks every match of the rules' examples passes.
/// </summary>
internal static class CommandPlaceChecks
{
    private static readonly SearchValues<char> PipeOrRedirectOrLineEnd = SearchValues.Create("|<\r\n");
    private static readonly SearchValues<char> PipeOrLineEnd = SearchValues.Create("|\r\n");
    private static readonly SearchValues<char> OptionOrSubstitutionOrCommandEnd = SearchValues.Create("-$\r\n;&|");
    private static readonly SearchValues<char> OptionOrCommandEnd = SearchValues.Create("-\r\n;&|");
    private static readonly SearchValues<char> RedirectOrCommandEnd = SearchValues.Create("<\r\n;&|");

    /// <summary>
    /// How far from its start a pipe_to_shell match has its pipe at most: the longest command name
    /// (<c>invoke-restmethod</c>) and up to 300 characters of arguments.
    /// </summary>
    private const int PipeReach = 330;

    /// <summary>
    /// pipe_to_shell: every form pipes into a shell (<c>|</c>) or reads a process substitution (<c>&lt;(</c>) on its
    /// line, within <see cref="PipeReach"/> of its start.
    /// </summary>
    public static bool PipeToShell(ReadOnlySpan<char> input, int position)
    {
        var rest = input[position..Math.Min(input.Length, position + PipeReach)];
        int at;
        while ((at = rest.IndexOfAny(PipeOrRedirectOrLineEnd)) >= 0)
        {
            if (rest[at] == '|' || (rest[at] == '<' && at + 1 < rest.Length && rest[at + 1] == '('))
            {
                return true;
            }

            if (rest[at] != '<')
            {
                return false;
            }

            rest = rest[(at + 1)..];
        }

        return false;
    }

    /// <summary>
    /// data_exfil_cmd, by the command it starts with: the environment or a file piped on (<c>|</c>), curl with an
    /// upload option or a substitution (<see cref="CurlUploads"/>), wget with <c>--post-file</c>, netcat reading a
    /// file (<c>&lt;</c>), each before its command ends; scp and rsync are not checked.
    /// </summary>
    public static bool DataExfil(ReadOnlySpan<char> input, int position)
    {
        var rest = input[position..];
        if (StartsWith(rest, "curl"))
        {
            return CurlUploads(rest[4..]);
        }

        if (StartsWith(rest, "wget"))
        {
            return FirstIs(rest, OptionOrCommandEnd, '-', '-');
        }

        if (StartsWith(rest, "nc") || StartsWith(rest, "netcat"))
        {
            return FirstIs(rest, RedirectOrCommandEnd, '<', '<');
        }

        if (StartsWith(rest, "env") || StartsWith(rest, "printenv") || StartsWith(rest, "cat"))
        {
            return FirstIs(rest, PipeOrLineEnd, '|', '|');
        }

        return true;
    }

    private static readonly SearchValues<char> CommandEndOrEscape = SearchValues.Create("\r\n;&|\\");
    private static readonly SearchValues<char> LineEnd = SearchValues.Create("\r\n");
    private static readonly SearchValues<char> PathStart = SearchValues.Create(".~/$");

    // Vectorised; a string search ignoring case is a character-by-character loop in invariant globalization mode.
    private static readonly SearchValues<string> PowerShellSaveOptions = SearchValues.Create(["-outfile", "-destination"], StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// What runs a downloaded file begins with, besides a path: sudo, chmod, a shell or interpreter, source (the
    /// shell form is case-sensitive).
    /// </summary>
    private static readonly string[] RunWords = ["sudo", "chmod", "sh", "bash", "zsh", "dash", "ksh", "python", "perl", "ruby", "node", "php", "source"];

    /// <summary>How far a download_exec command reaches before the next command: 700 characters and its name.</summary>
    private const int DownloadReach = 720;

    /// <summary>
    /// download_exec at curl or wget: PowerShell's form has <c>-OutFile</c> or <c>-Destination</c> on the line; the
    /// shell form ends the command (<c>;</c>, <c>&amp;&amp;</c>, <c>||</c>, a line end, a JSON-escaped one) and runs
    /// something next (sudo, chmod, sh, python, source, a path). Other starts are not checked.
    /// </summary>
    public static bool DownloadExec(ReadOnlySpan<char> input, int position)
    {
        var rest = input[position..];
        if (!StartsWith(rest, "curl") && !StartsWith(rest, "wget"))
        {
            return true;
        }

        var line = rest[..Math.Min(rest.Length, PipeReach)];
        line = line.IndexOfAny(LineEnd) is var lineEnd and >= 0 ? line[..lineEnd] : line;
        if (line.ContainsAny(PowerShellSaveOptions))
        {
            return true;
        }

        rest = rest[4..Math.Min(rest.Length, DownloadReach)];
        int at;
        while ((at = rest.IndexOfAny(CommandEndOrEscape)) >= 0)
        {
            var c = rest[at];
            var next = at + 1;
            if (c == '\\')
            {
                if (next >= rest.Length || rest[next] != 'n')
                {
                    rest = rest[next..];
                    continue;
                }

                next++;
            }
            else if (c is '&' or '|')
            {
                if (next >= rest.Length || rest[next] != c)
                {
                    // A single & or | ends the command without starting one the regex follows.
                    return false;
                }

                next++;
            }
            else if (c == '\r' && next < rest.Length && rest[next] == '\n')
            {
                next++;
            }

            if (StartsRun(rest[next..].TrimStart(" \t")))
            {
                return true;
            }

            if (c != '\\')
            {
                // The command ended here and what follows runs nothing the rule knows.
                return false;
            }

            rest = rest[next..];
        }

        return false;
    }

    private static bool StartsRun(ReadOnlySpan<char> command)
    {
        if (command.IsEmpty || PathStart.Contains(command[0]))
        {
            return !command.IsEmpty;
        }

        foreach (var word in RunWords)
        {
            if (command.StartsWith(word, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether curl's arguments, before its command ends, hold an upload option (<c>-d</c>, <c>--data…</c>,
    /// <c>-F</c>, <c>--form</c>, <c>-T</c>, <c>--upload-file</c>, <c>--json</c>) or a substitution (<c>$(</c>).
    /// </summary>
    private static bool CurlUploads(ReadOnlySpan<char> arguments)
    {
        int at;
        while ((at = arguments.IndexOfAny(OptionOrSubstitutionOrCommandEnd)) >= 0)
        {
            var rest = arguments[at..];
            switch (rest[0])
            {
                case '$' when rest.Length > 1 && rest[1] == '(':
                    return true;
                case '-' when rest.Length > 1 && rest[1] is 'd' or 'F' or 'T':
                    return true;
                case '-' when rest.StartsWith("--data") || rest.StartsWith("--form") || rest.StartsWith("--upload-file") || rest.StartsWith("--json"):
                    return true;
                case '-' or '$':
                    arguments = arguments[(at + 1)..];
                    continue;
                default:
                    return false;
            }
        }

        return false;
    }

    private static bool StartsWith(ReadOnlySpan<char> text, string word) => text.StartsWith(word, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the first of <paramref name="stops"/> in the text is <paramref name="a"/> or <paramref name="b"/>.</summary>
    private static bool FirstIs(ReadOnlySpan<char> text, SearchValues<char> stops, char a, char b)
    {
        var at = text.IndexOfAny(stops);
        return at >= 0 && (text[at] == a || text[at] == b);
    }
}
