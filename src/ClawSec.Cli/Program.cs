using System.CommandLine;
using System.Reflection;
using ClawSec.Cli.Commands;

namespace ClawSec.Cli;

internal static class Program
{
    public static string Version { get; } =
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static async Task<int> Main(string[] args)
    {
        var stdout = Console.Out;
        var stderr = Console.Error;

        Option<string?> ConfigOption() => new("--config") { Description = "JSON configuration file (default: built-in defaults, CLAWSEC_* variables)", HelpName = "FILE" };

        var startConfig = ConfigOption();
        var noMitm = new Option<bool>("--no-mitm") { Description = "Do not decrypt HTTPS: tunnel it opaquely and log only the destination" };
        var start = new Command("start", "Run the monitor in the foreground until SIGINT/SIGTERM") { startConfig, noMitm };
        start.SetAction((result, _) => StartCommand.RunAsync(result.GetValue(startConfig), result.GetValue(noMitm), stdout, stderr));

        var stopConfig = ConfigOption();
        var stop = new Command("stop", "Stop the running monitor (SIGTERM, then SIGKILL after a timeout)") { stopConfig };
        stop.SetAction((result, _) => StopCommand.RunAsync(result.GetValue(stopConfig), stdout, stderr));

        var statusConfig = ConfigOption();
        var status = new Command("status", "Show whether the monitor runs, where, and the newest threats (exit 3 when stopped)") { statusConfig };
        status.SetAction(result => StatusCommand.Run(result.GetValue(statusConfig), stdout, stderr));

        var threatsConfig = ConfigOption();
        var limit = new Option<int>("--limit") { Description = "How many threats, newest first", DefaultValueFactory = _ => 10, HelpName = "N" };
        var threats = new Command("threats", "Print the newest threats as a JSON array") { threatsConfig, limit };
        threats.SetAction(result => ThreatsCommand.Run(result.GetValue(threatsConfig), result.GetValue(limit), stdout, stderr));

        var envConfig = ConfigOption();
        var env = new Command("env", "Print the shell exports that route an agent through ClawSec and trust its CA (use: eval \"$(clawsec env)\")") { envConfig };
        env.SetAction(result => EnvCommand.Run(result.GetValue(envConfig), stdout, stderr));

        var root = new RootCommand("ClawSec: a security monitor for AI agents (a forward proxy that records secret exfiltration and command injection)")
        {
            start, stop, status, threats, env,
        };

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                stderr.WriteLine("clawsec: " + error.Message);
            }

            stderr.WriteLine("Run 'clawsec --help' for usage.");
            return ExitCodes.Usage;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, Output = stdout, Error = stderr });
    }
}
