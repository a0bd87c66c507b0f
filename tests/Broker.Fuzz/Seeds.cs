using System.Text;

namespace Broker.Fuzz;

/// <summary>Writes seed corpora from the golden captures (frames and values) and a few HTTP requests.</summary>
internal static class Seeds
{
    public static int Write(string root, string? golden = null)
    {
        golden ??= FindGolden();
        int n = 0;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(golden, "native"), "*.tsv"))
        {
            foreach (var line in File.ReadLines(file))
            {
                var cells = line.Split('\t');
                if (line.StartsWith('#') || cells.Length <= 6 || cells[6].Length == 0 || cells[6].Length % 2 != 0 || !cells[6].All(Uri.IsHexDigit))
                {
                    continue;
                }

                var bytes = Convert.FromHexString(cells[6]);
                Save(root, "frame", bytes, ref n);
                if (bytes.Length > 37)
                {
                    Save(root, "binary", bytes[37..], ref n); // rough: the bytes after a short-topic envelope header
                    Save(root, "reader", bytes[37..], ref n);
                }
            }
        }

        foreach (var file in Directory.EnumerateFiles(Path.Combine(golden, "json")))
        {
            foreach (var line in File.ReadLines(file))
            {
                foreach (var cell in line.Split('\t'))
                {
                    if (cell.StartsWith('{') || cell.StartsWith('['))
                    {
                        Save(root, "json", Encoding.UTF8.GetBytes(cell), ref n);
                    }
                }
            }
        }

        Save(root, "http", Encoding.ASCII.GetBytes("GET /v1/messages/json HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nX-Application-Name: app\r\n\r\n"), ref n);
        Save(root, "http", Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\n\r\n"), ref n);
        Console.WriteLine($"{n} seeds written under {root}/<target>");
        return 0;
    }

    private static void Save(string root, string target, byte[] bytes, ref int n)
    {
        if (bytes.Length == 0 || bytes.Length > 4096)
        {
            return;
        }

        string dir = Path.Combine(root, target);
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(bytes))[..16]), bytes);
        n++;
    }

    private static string FindGolden()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Broker.Sdk.sln")))
            {
                string golden = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "golden"));
                return Directory.Exists(golden) ? golden : throw new DirectoryNotFoundException("golden captures missing: " + golden);
            }
        }

        throw new DirectoryNotFoundException("Broker.Sdk.sln not found above " + AppContext.BaseDirectory);
    }
}
