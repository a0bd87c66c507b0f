namespace Broker.Sdk.Tests.TestSupport;

/// <summary>Finds the golden captures in ../shared/golden beside the repository (the folder holding Broker.Sdk.sln).</summary>
public static class Golden
{
    private static readonly Lazy<string> RootPath = new(Locate);

    /// <summary>The golden folder.</summary>
    public static string Root => RootPath.Value;

    /// <summary>The full path of a golden file, e.g. <c>Path("json", "ack.json")</c>.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string Locate()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Broker.Sdk.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException($"Broker.Sdk.sln not found above {AppContext.BaseDirectory}.");
        }

        string golden = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "golden"));
        if (!Directory.Exists(golden))
        {
            throw new InvalidOperationException($"Golden files missing: expected {golden} (a copy of shared/ beside the repository).");
        }

        return golden;
    }
}
