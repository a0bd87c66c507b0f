using System.Diagnostics.Metrics;

namespace Broker.Peering;

/// <summary>
/// System.Diagnostics.Metrics instruments of the peering layer (meter <c>Broker.Sdk.Peering</c>). Instruments cost a
/// branch when nobody listens; the same figures are available without a listener from
/// <see cref="BrokerEndpoint.GetStatistics"/>.
/// </summary>
internal static class PeeringMetrics
{
    public static readonly Meter Meter = new("Broker.Sdk.Peering");

    public static readonly Counter<long> MessagesIn = Meter.CreateCounter<long>("broker.peering.messages_in", "{message}", "Operational frames received from peers.");

    public static readonly Counter<long> MessagesOut = Meter.CreateCounter<long>("broker.peering.messages_out", "{frame}", "Frames written to peers.");

    public static readonly Counter<long> BytesIn = Meter.CreateCounter<long>("broker.peering.bytes_in", "By", "Bytes of operational frames received.");

    public static readonly Counter<long> PeerQueueDrops = Meter.CreateCounter<long>("broker.peering.peer_queue_drops", "{message}", "Messages dropped by a peer's overflow policy.");

    public static readonly Counter<long> MalformedFrames = Meter.CreateCounter<long>("broker.peering.malformed_frames", "{frame}", "Frames that did not parse and were dropped.");

    public static readonly Counter<long> TtlExpired = Meter.CreateCounter<long>("broker.peering.ttl_expired", "{message}", "Forwards not done because the TTL was used up.");

    public static readonly UpDownCounter<long> Peers = Meter.CreateUpDownCounter<long>("broker.peering.peers", "{peer}", "Peers with a completed handshake.");
}
