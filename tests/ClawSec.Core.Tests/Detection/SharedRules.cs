namespace ClawSec.Core.Tests.Detection;

/// <summary>Third-party rule data kept beside the repository, in shared/rules.</summary>
internal static class SharedRules
{
    private static readonly Lazy<string> GitleaksText = new(() => File.ReadAllText(GitleaksPath));

    /// <summary>
    /// gitleaks' default configuration in shared/rules: shared/ beside the repository, or where CLAWSEC_SHARED_DIR
    /// says (.ci/run sets it for other layouts).
    /// </summary>
    public static string GitleaksPath => Path.Combine(
        Environment.GetEnvironmentVariable("CLAWSEC_SHARED_DIR") is { Length: > 0 } shared ? shared : Path.Combine(RepositoryRoot(), "..", "shared"),
        "rules", "gitleaks.toml");

    public static string Gitleaks => GitleaksText.Value;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClawSec.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No ClawSec.slnx above {AppContext.BaseDirectory}.");
    }
}
