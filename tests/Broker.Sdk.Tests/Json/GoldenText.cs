using System.Text;

namespace Broker.Sdk.Tests.Json;

/// <summary>Helpers for the golden TSV files: raw byte lines and Python-style quoted strings.</summary>
internal static class GoldenText
{
    /// <summary>Data lines of a golden file as raw bytes (comments and blank lines skipped).</summary>
    public static List<byte[]> Lines(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var lines = new List<byte[]>();
        int start = 0;
        for (int i = 0; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes[i] == (byte)'\n')
            {
                var line = bytes.AsSpan(start, i - start);
                if (!line.IsEmpty && line[0] != (byte)'#')
                {
                    lines.Add(line.ToArray());
                }

                start = i + 1;
            }
        }

        return lines;
    }

    /// <summary>Splits a raw line on tabs.</summary>
    public static List<byte[]> Columns(byte[] line)
    {
        var cols = new List<byte[]>();
        int start = 0;
        for (int i = 0; i <= line.Length; i++)
        {
            if (i == line.Length || line[i] == (byte)'\t')
            {
                cols.Add(line[start..i]);
                start = i + 1;
            }
        }

        return cols;
    }

    /// <summary>Undoes Python's escaping (<c>\\ \n \t \r \xNN \' \"</c>), optionally stripping surrounding quotes, into bytes.</summary>
    public static byte[] Unescape(byte[] text, bool quoted)
    {
        var s = quoted && text.Length >= 2 && (text[0] == (byte)'\'' || text[0] == (byte)'"') ? text[1..^1] : text;
        var result = new List<byte>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] != (byte)'\\' || i + 1 >= s.Length)
            {
                result.Add(s[i]);
                continue;
            }

            byte e = s[++i];
            switch (e)
            {
                case (byte)'n': result.Add((byte)'\n'); break;
                case (byte)'t': result.Add((byte)'\t'); break;
                case (byte)'r': result.Add((byte)'\r'); break;
                case (byte)'x':
                    result.Add(Convert.ToByte(Encoding.ASCII.GetString(s, i + 1, 2), 16));
                    i += 2;
                    break;
                default: result.Add(e); break;
            }
        }

        return result.ToArray();
    }

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>Parses a JSON array of strings (the golden "replies" column).</summary>
    public static List<string> JsonStrings(byte[] json)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    /// <summary>True when System.Text.Json (strict RFC 8259) accepts the text.</summary>
    public static bool IsValidJson(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(json);
            while (reader.Read())
            {
            }

            return true;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }
}
