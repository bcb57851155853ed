namespace ClawSec.Proxy.Tests.Deploy;

internal static class RepositoryFiles
{
    /// <summary>The repository root: the folder above the test binaries that holds ClawSec.slnx.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClawSec.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ClawSec.slnx not found above " + AppContext.BaseDirectory);
    }
}
