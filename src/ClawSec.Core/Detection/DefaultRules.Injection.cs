using System.Text.RegularExpressions;

namespace ClawSec.Core.Detection;

/// <summary>
/// Injections beyond the original five. Like those, they apply in both directions: a command comes in as a model's
/// tool call, and goes out again inside the tool result or a fetched page that the agent hands to its model.
/// </summary>
internal static partial class DefaultRules
{
    // Files whose contents are credentials, as they appear in commands that send them somewhere.
    private const string SensitivePath =
        @"(?:[^\s'""|;&<>]{0,100}/)?(?:\.aws/(?:credentials|config)|\.env(?:\.[A-Za-z0-9_-]{1,32})?|\.ssh/[A-Za-z0-9_.-]{1,64}"
        + @"|\.netrc|\.git-credentials|\.npmrc|\.pypirc|\.pgpass|\.kube/config|\.docker/config\.json|\.bash_history"
        + @"|etc/(?:passwd|shadow|sudoers)|proc/(?:self|[0-9]{1,7})/environ|\.config/gcloud/[A-Za-z0-9_./-]{1,100}"
        + @"|\.azure/[A-Za-z0-9_./-]{1,100}|id_(?:rsa|dsa|ecdsa|ed25519))(?![A-Za-z0-9_.-])";

    // Words of a phrase: spaces, or as a URL or a form encodes them.
    private const string Gap = @"(?:[ \t]|%20|\+){1,4}";

    // Where a command ends and the next one starts: a shell operator, a raw newline or a JSON-escaped one.
    private const string NextCommand = @"[ \t]{0,8}(?:&&|;|\|\||\r?\n|\\n)[ \t]{0,8}";

    private static IEnumerable<Rule> CreateInjectionRules() =>
    [
        new Rule
        {
            Name = "download_exec",
            ThreatType = ThreatType.Injection,
            Severity = Severity.Critical,
            Description = "A file downloaded, then made executable or run (curl -o, wget -O, Invoke-WebRequest -OutFile, DownloadFile).",
            Regex = DownloadExec,
            Anchored = DownloadExecAnchored,
            MayStartAt = CommandPlaceChecks.DownloadExec,
            Check = DownloadExecConfirmed,
            Keywords = ["curl", "wget", "iwr", "invoke-webrequest", "start-bitstransfer", "downloadfile", "certutil"],
            MaxMatchLength = 1200,

            // ".DownloadFile(": the dot comes before the keyword.
            MaxKeywordOffset = 1,
            WordKeywords = Words("curl", "wget", "iwr", "invoke-webrequest", "start-bitstransfer", "certutil"),
        },
        new Rule
        {
            Name = "destructive_cmd",
            ThreatType = ThreatType.Injection,
            Severity = Severity.Critical,
            Description = "A command that wipes a disk or the system: dd or a redirect onto a disk, mkfs, a fork bomb, chmod -R 777 /, find / -delete.",
            Regex = DestructiveCmd,
            Anchored = DestructiveCmdAnchored,
            Keywords = ["dd ", "dd\t", "mkfs", "()", "chmod", "find ", "find\t", "shred", "wipefs", "/dev/sd", "/dev/nvme"],
            MaxMatchLength = 512,
            MaxKeywordOffset = 40,
            KeywordOffsets = Offsets(
                ("dd ", 0), ("dd\t", 0), ("mkfs", 0), ("()", 0), ("chmod", 0), ("find ", 0), ("find\t", 0), ("shred", 0),
                ("wipefs", 0), ("/dev/sd", 5), ("/dev/nvme", 5)),
            WordKeywords = Words("dd ", "dd\t", "mkfs", "chmod", "find ", "find\t", "shred", "wipefs"),
        },
        new Rule
        {
            Name = "data_exfil_cmd",
            ThreatType = ThreatType.Injection,
            Severity = Severity.Critical,
            Description = "A command that sends the environment or a credentials file to a remote host (env | curl, curl -d @~/.aws/credentials, nc < key).",
            Regex = DataExfilCmd,
            Anchored = DataExfilCmdAnchored,
            MayStartAt = CommandPlaceChecks.DataExfil,
            Keywords = ["env", "printenv", "cat ", "cat\t", "curl", "wget", "nc ", "nc\t", "ncat", "netcat", "scp", "rsync"],
            MaxMatchLength = 1024,
            MaxKeywordOffset = 0,
            WordKeywords = Words("env", "printenv", "cat ", "cat\t", "curl", "wget", "nc ", "nc\t", "ncat", "netcat", "scp", "rsync"),
        },
        new Rule
        {
            Name = "prompt_injection",
            ThreatType = ThreatType.Injection,
            Severity = Severity.High,
            Description = "Text aimed at the agent's model: instruction overrides, fake system tags, markdown images that carry data away, hidden Unicode tag characters.",
            Regex = PromptInjection,
            Anchored = PromptInjectionAnchored,
            Keywords =
            [
                "ignore", "disregard", "forget", "override", "<|im_start|>", "<|system|>", "</system>", "[system",
                "<<sys>>", "<|start_header_id|>", "![", "\uDB40", "\\udb40",
            ],
            MaxMatchLength = 8192,

            // The opening quote of a quoted phrase comes before its keyword.
            MaxKeywordOffset = 1,
        },
    ];

    // curl/wget saving to a file (named by -o/-O or by the URL), then chmod +x of it or running it. Written once
    // as the whole condition, with the name matched again by a back-reference, and once without it: the back-
    // reference makes a search try every word after each download as the name, so the cheap form finds the
    // places and the whole one confirms them (see DownloadExecConfirmed). The cheap form reaches the last command
    // that runs something, so that the whole one, within it, can still pick any of the commands before.
    private const string DownloadThenRun =
        NoWordBefore + @"(?:curl|wget)(?:\.exe)?" + NoKeyCharAfter
        + @"[^\r\n;&|]{0,300}?[ \t=/'""\\](?<name>[A-Za-z0-9_.-]{1,100})(?=[\s'""&;|]|\\n|$)[^\r\n;&|]{0,300}?"
        + NextCommand + RunFile + @"\k<name>(?=[\s'""&;|)]|\\n|$)";

    private const string DownloadThenRunAnything =
        NoWordBefore + @"(?:curl|wget)(?:\.exe)?" + NoKeyCharAfter + @"[^\r\n;&|]{0,700}"
        + NextCommand + RunFile + @"[A-Za-z0-9_.-]{1,100}(?=[\s'""&;|)]|\\n|$)";

    // Making a file executable or running it, up to its name: what follows a download in download_exec.
    private const string RunFile =
        @"(?:sudo[ \t]{1,8}(?:-[A-Za-z]{1,8}[ \t]{1,8}){0,3})?"
        + @"(?:chmod[ \t]{1,8}(?:-[A-Za-z]{1,8}[ \t]{1,8}){0,3}(?:[ugoa]{0,4}\+[rwX]{0,3}x[rwX]{0,3}|[0-7]?[0-7][157][157])[ \t]{1,8}"
        + @"|(?:(?:ba|z|da|k)?sh|python[0-9.]{0,4}|perl|ruby|node|php|source|\.)[ \t]{1,8}(?:-[A-Za-z]{1,8}[ \t]{1,8}){0,3}"
        + @"|(?=[.~/$]))"
        + @"[""']?(?:[^\s'""&;|]{0,200}/)?";

    // PowerShell: a download to a file, then Start-Process, & or Invoke-Item on it.
    private const string PowerShellDownloadThenRun =
        "(?i:(?:" + NoKeyCharBefore + @"(?:iwr|invoke-webrequest|start-bitstransfer|curl|wget)" + NoKeyCharAfter
        + @"[^\r\n]{0,300}?-(?:outfile|destination)[ \t]{1,8}[^\r\n]{0,300}?"
        + @"|\.downloadfile[ \t]{0,4}\([^\r\n]{0,300}?"
        + @"|certutil(?:\.exe)?[ \t]{1,8}[^\r\n]{0,100}?-urlcache[^\r\n]{0,300}?)"
        + @"(?:;|&&|\r?\n|\\n)[ \t]{0,8}(?:start-process|saps|start|invoke-item|ii|&|\.\\|cmd(?:\.exe)?[ \t]{1,8}/c)"
        + @"(?![A-Za-z0-9_-]))";

    private const string DownloadExecPattern =
        DownloadThenRunAnything + "|" + PowerShellDownloadThenRun;

    [GeneratedRegex(DownloadExecPattern, Options)]
    private static partial Regex DownloadExec { get; }

    [GeneratedRegex(@"\G(?:" + DownloadExecPattern + ")", Options)]
    private static partial Regex DownloadExecAnchored { get; }

    [GeneratedRegex(@"\A(?:" + DownloadThenRun + "|" + PowerShellDownloadThenRun + ")", Options)]
    private static partial Regex DownloadExecWhole { get; }

    /// <summary>
    /// Whether a download_exec candidate runs the file it downloaded: the whole condition, matched within the
    /// candidate only, so its back-reference tries a few words rather than every word of a long line.
    /// </summary>
    private static bool DownloadExecConfirmed(ReadOnlySpan<char> candidate) => DownloadExecWhole.IsMatch(candidate);

    private const string DestructiveCmdPattern =
        // dd, shred or wipefs aimed at a whole disk or partition; a redirect onto one.
        NoWordBefore + @"(?:dd[ \t][^\r\n;&|]{0,200}?of=|(?:shred|wipefs)[ \t][^\r\n;&|]{0,100}?|(?<![>&0-9])>[ \t]{0,4})"
        + @"/dev/(?:sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme[0-9]{1,2}n[0-9]{1,2}|mmcblk[0-9]|disk[0-9]|md[0-9])"
        + @"[A-Za-z0-9]{0,4}(?![A-Za-z0-9/])"
        + "|" + NoWordBefore + @"mkfs(?:\.[a-z0-9]{1,12})?[ \t][^\r\n;&|]{0,100}?/dev/[A-Za-z0-9/_-]{1,40}"
        // :(){ :|:& };: and the same with any function name. The match starts at "()", its keyword, and the name
        // before it is read by a lookbehind, so that each "()" of ordinary code is tried at one place only.
        + @"|(?<=(?<![A-Za-z0-9_:.-])(?<f>[A-Za-z_:.][A-Za-z0-9_:.]{0,31})[ \t]{0,4})\([ \t]{0,4}\)[ \t]{0,4}\{[ \t]{0,4}"
        + @"\k<f>[ \t]{0,4}\|[ \t]{0,4}\k<f>[ \t]{0,4}&[ \t]{0,4};?[ \t]{0,4}\}[ \t]{0,4};[ \t]{0,4}\k<f>(?![A-Za-z0-9_:.])"
        // chmod -R 777 (or a+rwx) on / or a top-level system directory.
        + "|" + NoWordBefore + "chmod"
        + @"(?=(?:[ \t]{1,8}[^\s;&|]{1,12}){0,3}?[ \t]{1,8}(?:-[A-Za-z]{0,4}R[A-Za-z]{0,4}|--recursive)(?![A-Za-z-]))"
        + @"(?:[ \t]{1,8}(?:-[A-Za-z]{1,8}|--[a-z-]{1,24}|0?777|a\+rwx|ugo\+rwx)){2,4}"
        + @"[ \t]{1,8}(?:\\?[""'])?/(?:(?:bin|boot|etc|home|lib|opt|root|sbin|usr|var)/?)?(?=[\s;&|)""'`\\,]|$)"
        // find / -delete, or find / -exec rm.
        + "|" + NoWordBefore + @"find[ \t]{1,8}(?:\\?[""'])?/(?:(?:bin|boot|etc|home|lib|opt|root|sbin|usr|var)/?)?(?:\\?[""'])?[ \t]"
        + @"[^\r\n;&|]{0,200}?(?:-delete|-exec[ \t]{1,8}rm[ \t])";

    [GeneratedRegex(DestructiveCmdPattern, Options)]
    private static partial Regex DestructiveCmd { get; }

    [GeneratedRegex(@"\G(?:" + DestructiveCmdPattern + ")", Options)]
    private static partial Regex DestructiveCmdAnchored { get; }

    private const string DataExfilCmdPattern =
        // The environment or a credentials file piped, through a few filters, into a network client.
        NoWordBefore + @"(?:env|printenv|cat[ \t]{1,8}(?:-[A-Za-z]{1,4}[ \t]{1,8}){0,2}[""']?" + SensitivePath + ")"
        + @"(?:[ \t]{0,8}\|[^|\r\n;&]{0,100}){0,3}?[ \t]{0,8}\|[ \t]{0,8}"
        + @"(?:curl|wget|nc|ncat|netcat|telnet|socat|openssl[ \t]{1,8}s_client)" + NoKeyCharAfter
        // curl uploading a credentials file as a body or form field, or with its contents inline.
        + "|" + NoWordBefore + @"curl" + NoKeyCharAfter + @"[^\r\n;&|]{0,300}?"
        + @"(?:(?:-d|--data(?:-binary|-raw|-urlencode|-ascii)?|-F|--form|-T|--upload-file|--json)[ \t=]{1,4}" + Quote
        + @"(?:[A-Za-z0-9_-]{1,40}=)?@?" + Quote + SensitivePath
        + @"|\$\([ \t]{0,4}(?:env|printenv|cat[ \t]{1,8}[""']?" + SensitivePath + "))"
        // wget posting a credentials file.
        + "|" + NoWordBefore + @"wget" + NoKeyCharAfter + @"[^\r\n;&|]{0,300}?--(?:post|body)-file[ \t=]{1,4}[""']?" + SensitivePath
        // netcat fed a credentials file; scp or rsync of one to a remote host.
        + "|" + NoWordBefore + @"(?:nc|ncat|netcat)[ \t][^\r\n;&|<]{0,100}<[ \t]{0,4}[""']?" + SensitivePath
        + "|" + NoWordBefore + @"(?:scp|rsync)(?:[ \t]{1,8}-[A-Za-z]{1,8}){0,4}[ \t]{1,8}[""']?" + SensitivePath
        + @"[""']?[ \t]{1,8}[^\s@:]{1,64}@?[A-Za-z0-9.-]{1,253}:";

    [GeneratedRegex(DataExfilCmdPattern, Options)]
    private static partial Regex DataExfilCmd { get; }

    [GeneratedRegex(@"\G(?:" + DataExfilCmdPattern + ")", Options)]
    private static partial Regex DataExfilCmdAnchored { get; }

    private const string PromptInjectionPattern =
        // "Ignore all previous instructions" and its kin; a phrase that is only quoted ("…") is talk about it.
        @"(?:(?<quote>[""'“‘`])|(?<![""'“‘`]))(?<![A-Za-z0-9_-])(?i:ignore|disregard|forget|override)"
        + "(?:" + Gap + "(?i:all|any|of|the|your|my|these|those|every|everything)){0,4}"
        + Gap + "(?i:previous|prior|above|earlier|preceding|initial|original|system|developer)"
        + "(?:" + Gap + "(?i:ai|assistant|system|developer))?"
        + Gap + "(?i:instructions?|prompts?|directives?|rules|guidelines|guardrails|messages?|context)"
        + @"(?![A-Za-z0-9_-])(?(quote)(?!\\{0,3}[""'”’`]))"
        // Chat-template tokens and tags that pretend to open a system turn or close the real one.
        + @"|<\|im_start\|>[ \t]{0,4}system|<\|system\|>|<\|start_header_id\|>[ \t]{0,4}system|<</?SYS>>"
        + @"|</(?i:system)(?:[_-](?i:prompt|message|instructions))?>"
        + @"|\[(?i:system)(?:[ \t](?i:message|prompt|override|note|instructions?))?\][ \t]{0,4}:"
        // A markdown image whose URL has a template to fill with the conversation's data.
        + @"|!\[[^\]\r\n]{0,200}\]\([ \t]{0,4}(?:https?:)?//[^\s)?#]{1,200}\?[^\s)]{0,300}?=[^\s)&]{0,100}?"
        + @"(?:\{\{?[^{}\s)]{1,60}\}\}?|\[[A-Za-z_ ]{2,40}\]|<[A-Za-z_ ]{2,40}>|\$\{?[A-Za-z_][A-Za-z0-9_]{1,40}\}?"
        + @"|%7[Bb][^\s)]{1,60}?%7[Dd]|%3[Cc][^\s)]{1,60}?%3[Ee])"
        // Unicode tag characters (U+E0000–U+E007F), raw or JSON-escaped, as a run; a flag emoji's short run is not.
        + @"|(?<!\uDB40[\uDC00-\uDC7F])(?:(?<!\uD83C\uDFF4)(?:\uDB40[\uDC00-\uDC7F]){2,4000}|(?:\uDB40[\uDC00-\uDC7F]){8,4000})"
        + @"|(?<!\\u[dD][bB]40\\u[dD][cC][0-7][0-9a-fA-F])"
        + @"(?:(?<!\\u[dD]83[cC]\\u[dD][fF][fF]4)(?:\\u[dD][bB]40\\u[dD][cC][0-7][0-9a-fA-F]){2,600}"
        + @"|(?:\\u[dD][bB]40\\u[dD][cC][0-7][0-9a-fA-F]){8,600})";

    [GeneratedRegex(PromptInjectionPattern, Options)]
    private static partial Regex PromptInjection { get; }

    [GeneratedRegex(@"\G(?:" + PromptInjectionPattern + ")", Options)]
    private static partial Regex PromptInjectionAnchored { get; }
}
