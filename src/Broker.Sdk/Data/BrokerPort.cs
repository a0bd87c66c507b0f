using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Broker.Data;

/// <summary>A port number with its transport protocol, ordered by number then protocol as in Broker.</summary>
/// <param name="Number">The port number.</param>
/// <param name="Protocol">The transport protocol.</param>
public readonly record struct BrokerPort(ushort Number, PortProtocol Protocol) : IComparable<BrokerPort>
{
    /// <summary>Creates a TCP port.</summary>
    /// <param name="number">The port number.</param>
    /// <returns>The port.</returns>
    public static BrokerPort Tcp(ushort number) => new(number, PortProtocol.Tcp);

    /// <summary>Creates a UDP port.</summary>
    /// <param name="number">The port number.</param>
    /// <returns>The port.</returns>
    public static BrokerPort Udp(ushort number) => new(number, PortProtocol.Udp);

    /// <inheritdoc />
    public int CompareTo(BrokerPort other)
    {
        int c = Number.CompareTo(other.Number);
        return c != 0 ? c : ((byte)Protocol).CompareTo((byte)other.Protocol);
    }

    /// <summary>Broker's text form: <c>80/tcp</c>, <c>53/udp</c>, <c>0/icmp</c>, <c>1/?</c>.</summary>
    /// <returns>The text form.</returns>
    public override string ToString() =>
        Number.ToString(CultureInfo.InvariantCulture) + "/" + ProtocolName(Protocol);

    /// <summary>Parses Broker's text form; a bare number means TCP, as in Broker.</summary>
    /// <param name="text">The text.</param>
    /// <param name="port">The parsed port.</param>
    /// <returns>True when the text is a port.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out BrokerPort port)
    {
        port = default;
        int slash = text.IndexOf('/');
        var numberText = slash < 0 ? text : text[..slash];
        if (!ushort.TryParse(numberText, NumberStyles.None, CultureInfo.InvariantCulture, out ushort number))
        {
            return false;
        }

        PortProtocol protocol = PortProtocol.Tcp;
        if (slash >= 0)
        {
            var p = text[(slash + 1)..];
            if (p.SequenceEqual("tcp")) protocol = PortProtocol.Tcp;
            else if (p.SequenceEqual("udp")) protocol = PortProtocol.Udp;
            else if (p.SequenceEqual("icmp")) protocol = PortProtocol.Icmp;
            else if (p.SequenceEqual("?")) protocol = PortProtocol.Unknown;
            else return false;
        }

        port = new BrokerPort(number, protocol);
        return true;
    }

    /// <summary>Parses Broker's text form.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The port.</returns>
    /// <exception cref="FormatException">The text is not a port.</exception>
    public static BrokerPort Parse(string text) =>
        TryParse(text, out var port) ? port : throw new FormatException($"'{text}' is not a port (expected e.g. 80/tcp).");

    internal static string ProtocolName(PortProtocol protocol) => protocol switch
    {
        PortProtocol.Tcp => "tcp",
        PortProtocol.Udp => "udp",
        PortProtocol.Icmp => "icmp",
        _ => "?",
    };

    /// <summary>Compares two ports.</summary>
    /// <param name="left">The left port.</param>
    /// <param name="right">The right port.</param>
    /// <returns>True when left sorts before right.</returns>
    public static bool operator <(BrokerPort left, BrokerPort right) => left.CompareTo(right) < 0;

    /// <summary>Compares two ports.</summary>
    /// <param name="left">The left port.</param>
    /// <param name="right">The right port.</param>
    /// <returns>True when left sorts after right.</returns>
    public static bool operator >(BrokerPort left, BrokerPort right) => left.CompareTo(right) > 0;

    /// <summary>Compares two ports.</summary>
    /// <param name="left">The left port.</param>
    /// <param name="right">The right port.</param>
    /// <returns>True when left does not sort after right.</returns>
    public static bool operator <=(BrokerPort left, BrokerPort right) => left.CompareTo(right) <= 0;

    /// <summary>Compares two ports.</summary>
    /// <param name="left">The left port.</param>
    /// <param name="right">The right port.</param>
    /// <returns>True when left does not sort before right.</returns>
    public static bool operator >=(BrokerPort left, BrokerPort right) => left.CompareTo(right) >= 0;
}
