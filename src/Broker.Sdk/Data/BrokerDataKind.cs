namespace Broker.Data;

/// <summary>
/// The type of a <see cref="BrokerData"/> value. The numeric value is Broker's variant tag: it is the
/// tag byte of the binary encoding and defines the first key of Broker's total order.
/// </summary>
public enum BrokerDataKind : byte
{
    /// <summary>The single value <c>nil</c>.</summary>
    None = 0,
    /// <summary>true or false.</summary>
    Boolean = 1,
    /// <summary>An unsigned 64-bit integer (Zeek <c>count</c>).</summary>
    Count = 2,
    /// <summary>A signed 64-bit integer (Zeek <c>int</c>).</summary>
    Integer = 3,
    /// <summary>An IEEE-754 double (Zeek <c>double</c>).</summary>
    Real = 4,
    /// <summary>A byte string, usually but not necessarily UTF-8.</summary>
    String = 5,
    /// <summary>An IPv4 or IPv6 address.</summary>
    Address = 6,
    /// <summary>An address prefix with host bits masked.</summary>
    Subnet = 7,
    /// <summary>A transport-layer port with its protocol.</summary>
    Port = 8,
    /// <summary>Nanoseconds since the Unix epoch (Zeek <c>time</c>).</summary>
    Timestamp = 9,
    /// <summary>A signed duration in nanoseconds (Zeek <c>interval</c>).</summary>
    Timespan = 10,
    /// <summary>The name of an enumeration value, e.g. <c>Conn::LOG</c>.</summary>
    EnumValue = 11,
    /// <summary>An ordered set of values.</summary>
    Set = 12,
    /// <summary>An ordered map from values to values.</summary>
    Table = 13,
    /// <summary>A sequence of values (also Zeek records, with <c>nil</c> for unset fields).</summary>
    Vector = 14,
}

/// <summary>The transport protocol of a <see cref="BrokerPort"/>; the values are Broker's and Zeek's.</summary>
public enum PortProtocol : byte
{
    /// <summary>Unknown protocol, written <c>?</c>.</summary>
    Unknown = 0,
    /// <summary>TCP.</summary>
    Tcp = 1,
    /// <summary>UDP.</summary>
    Udp = 2,
    /// <summary>ICMP.</summary>
    Icmp = 3,
}
