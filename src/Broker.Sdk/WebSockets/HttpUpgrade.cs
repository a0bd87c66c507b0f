using System.Security.Cryptography;
using System.Text;

namespace Broker.WebSockets;

/// <summary>The server side of the HTTP/1.1 WebSocket upgrade (RFC 6455 §4.2), kept to what the JSON API needs.</summary>
internal static class HttpUpgrade
{
    public const string Path = "/v1/messages/json";

    public enum Outcome
    {
        Upgrade,
        BadRequest,
        TooLarge,
    }

    /// <summary>Reads the request head byte by byte (so no WebSocket bytes are consumed) up to <paramref name="maxBytes"/>.</summary>
    public static async Task<(Outcome Outcome, string? Key, string? Reason)> ReadRequestAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        var head = new byte[maxBytes];
        int length = 0;
        while (true)
        {
            if (length == maxBytes)
            {
                return (Outcome.TooLarge, null, "request header too large");
            }

            int n = await stream.ReadAsync(head.AsMemory(length, 1), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new EndOfStreamException("The client closed the connection during the HTTP upgrade.");
            }

            length++;
            if (length >= 4 && head[length - 1] == (byte)'\n' && head[length - 2] == (byte)'\r' && head[length - 3] == (byte)'\n' && head[length - 4] == (byte)'\r')
            {
                break;
            }
        }

        var lines = Encoding.Latin1.GetString(head, 0, length - 4).Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine[0] != "GET" || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return (Outcome.BadRequest, null, "not an HTTP GET request");
        }

        string target = requestLine[1];
        int query = target.IndexOf('?', StringComparison.Ordinal);
        if ((query < 0 ? target : target[..query]) != Path)
        {
            return (Outcome.BadRequest, null, $"unknown path (the JSON API lives at {Path})");
        }

        string? key = null, upgrade = null, version = null, appName = null;
        for (int i = 1; i < lines.Length; i++)
        {
            int colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = lines[i].AsSpan(0, colon).Trim();
            var value = lines[i][(colon + 1)..].Trim();
            if (name.Equals("Sec-WebSocket-Key", StringComparison.OrdinalIgnoreCase)) key = value;
            else if (name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase)) upgrade = value;
            else if (name.Equals("Sec-WebSocket-Version", StringComparison.OrdinalIgnoreCase)) version = value;
            else if (name.Equals("X-Application-Name", StringComparison.OrdinalIgnoreCase)) appName = value;
        }

        if (key is null || !"websocket".Equals(upgrade, StringComparison.OrdinalIgnoreCase) || version != "13")
        {
            return (Outcome.BadRequest, null, "not a WebSocket (version 13) upgrade request");
        }

        if (appName is not null && !IsValidApplicationName(appName))
        {
            // Zeek 8 rejects names outside [-/_.=:*@a-zA-Z0-9]+.
            return (Outcome.BadRequest, null, "invalid X-Application-Name");
        }

        return (Outcome.Upgrade, key, null);
    }

    private static bool IsValidApplicationName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "-/_.=:*@".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    public static byte[] SwitchingProtocols(string key)
    {
        string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        return Encoding.ASCII.GetBytes(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n\r\n");
    }

    public static byte[] Error(int status, string reason, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body + "\n");
        return Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n")
            .Concat(bytes).ToArray();
    }
}
