using System.Reflection;
using System.Text;

namespace Broker.Generators.Tests.TestSupport;

/// <summary>
/// Checked-in expected generator output: <c>Snapshots/&lt;Case&gt;/&lt;hint&gt;.verified.cs</c>, embedded in this assembly.
/// Set <c>BROKER_ACCEPT_SNAPSHOTS=1</c> to rewrite them from the current output (refused when <c>CI=true</c>).
/// </summary>
internal static class Snapshots
{
    private const string Prefix = "Snapshots/";
    private const string Suffix = ".verified.cs";

    public static bool Accepting => Environment.GetEnvironmentVariable("BROKER_ACCEPT_SNAPSHOTS") == "1";

    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Embedded snapshots: case name -> (hint name -> text).</summary>
    public static Dictionary<string, Dictionary<string, string>> Load()
    {
        var result = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var assembly = typeof(Snapshots).Assembly;
        foreach (string name in assembly.GetManifestResourceNames())
        {
            string normalized = name.Replace('\\', '/');
            if (!normalized.StartsWith(Prefix, StringComparison.Ordinal) || !normalized.EndsWith(Suffix, StringComparison.Ordinal))
            {
                continue;
            }

            string relative = normalized[Prefix.Length..^Suffix.Length];
            int slash = relative.IndexOf('/');
            Assert.True(slash > 0, $"Snapshot '{name}' is not inside a case folder.");
            string caseName = relative[..slash];
            string hint = relative[(slash + 1)..];
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            if (!result.TryGetValue(caseName, out var files))
            {
                result[caseName] = files = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            files[hint] = reader.ReadToEnd();
        }

        return result;
    }

    public static string Directory(string caseName)
    {
        string projectDir = typeof(Snapshots).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ProjectDir").Value!;
        return Path.Combine(projectDir, "Snapshots", caseName);
    }

    /// <summary>Rewrites one case's snapshot folder (only when accepting, never on CI).</summary>
    public static void Accept(string caseName, IReadOnlyDictionary<string, string> generated)
    {
        Assert.False(OnCi, "BROKER_ACCEPT_SNAPSHOTS=1 must not be set on CI (CI=true): snapshots are verified there, never rewritten.");
        string dir = Directory(caseName);
        System.IO.Directory.CreateDirectory(dir);
        foreach (string stale in System.IO.Directory.GetFiles(dir, "*" + Suffix))
        {
            File.Delete(stale);
        }

        foreach (var (hint, text) in generated)
        {
            File.WriteAllText(Path.Combine(dir, hint + Suffix), text, new UTF8Encoding(false));
        }
    }

    public static string Normalize(string text) => text.Replace("\r\n", "\n");

    /// <summary>A short description of the first difference between two texts.</summary>
    public static string FirstDifference(string expected, string actual)
    {
        var e = Normalize(expected).Split('\n');
        var a = Normalize(actual).Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string el = i < e.Length ? e[i] : "<end of file>";
            string al = i < a.Length ? a[i] : "<end of file>";
            if (el != al)
            {
                return $"line {i + 1}:\n  expected: {el}\n  actual:   {al}";
            }
        }

        return "no difference";
    }
}
