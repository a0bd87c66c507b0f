using Broker.Data;

namespace Broker.Serialization;

/// <summary>
/// A value that writes itself in Broker's binary format (spec §1.1) without first building a <see cref="BrokerData"/>
/// tree. Publishing one (<see cref="BrokerEndpoint.Publish{T}(string, in T, SendFlags)"/>) encodes it straight into
/// the outgoing frame; the generator emits one per <c>[BrokerEvent]</c>, and <see cref="BrokerData"/> and
/// <see cref="Zeek.ZeekEvent"/> are ones too.
/// </summary>
/// <remarks>
/// <see cref="WriteTo"/> and <see cref="ToBrokerData"/> must describe the same value:
/// <c>BrokerBinary.Decode</c> of what <see cref="WriteTo"/> writes equals <see cref="ToBrokerData"/>. The tree is
/// only built where one is needed (local subscribers, WebSocket clients, transports without a binary path).
/// </remarks>
public interface IBrokerValue
{
    /// <summary>Writes exactly one Broker value.</summary>
    /// <param name="writer">The destination; it records running out of room instead of throwing.</param>
    void WriteTo(ref BrokerWriter writer);

    /// <summary>The same value as a <see cref="BrokerData"/>.</summary>
    /// <returns>The value.</returns>
    BrokerData ToBrokerData();
}
