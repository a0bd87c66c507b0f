namespace Broker.Analyzers.Tests.TestSupport;

/// <summary>Finds the repository the tests run from (the folder holding Broker.Sdk.sln).</summary>
internal static class Repository
{
    /// <summary>The repository root; fails clearly when the tests do not run inside a checkout.</summary>
    public static string Root
    {
        get
        {
            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Broker.Sdk.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException($"Broker.Sdk.sln not found above {AppContext.BaseDirectory}; run the tests from a repository checkout.");
        }
    }
}
