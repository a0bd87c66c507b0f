using System.Globalization;

namespace Broker.Cli;

/// <summary>A <c>host:port</c> argument (<c>[::1]:9999</c> for IPv6 literals).</summary>
/// <param name="Host">Host name or address.</param>
/// <param name="Port">TCP port (0 allowed for listeners).</param>
internal readonly record struct HostPort(string Host, int Port)
{
    /// <summary>Parses <c>host:port</c>, <c>[v6]:port</c>, or a bare <c>:port</c> (loopback).</summary>
    /// <param name="text">The argument text.</param>
    /// <param name="value">The parsed value.</param>
    /// <param name="error">Why it is invalid.</param>
    /// <returns>True when valid.</returns>
    public static bool TryParse(string text, out HostPort value, out string? error)
    {
        value = default;
        error = null;
        int colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            error = $"'{text}' is not host:port";
            return false;
        }

        string host = text[..colon];
        string portText = text[(colon + 1)..];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':'))
        {
            error = $"'{text}': write IPv6 addresses in brackets, e.g. [::1]:9999";
            return false;
        }

        if (host.Length == 0)
        {
            host = "127.0.0.1";
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            error = $"'{text}': the port must be a number from 0 to 65535";
            return false;
        }

        value = new HostPort(host, port);
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
