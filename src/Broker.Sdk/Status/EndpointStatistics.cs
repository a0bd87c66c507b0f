namespace Broker;

/// <summary>Counters of an endpoint (also exported through System.Diagnostics.Metrics).</summary>
/// <param name="MessagesIn">Operational frames received from peers (data, commands, routing updates, pings, pongs).</param>
/// <param name="MessagesOut">Frames written to peers (data, commands, forwards).</param>
/// <param name="BytesIn">Bytes of operational frames received.</param>
/// <param name="PeerQueueDrops">Messages dropped because a peer's output buffer was full.</param>
/// <param name="MalformedFrames">Operational frames that did not parse and were dropped.</param>
/// <param name="TtlExpired">Forwards not done because the message's TTL was used up (a cycle being cut).</param>
/// <param name="Forwarded">Messages from one peer re-sent to another (one count per target peer).</param>
/// <param name="Peers">Per-peer figures.</param>
public sealed record EndpointStatistics(
    long MessagesIn,
    long MessagesOut,
    long BytesIn,
    long PeerQueueDrops,
    long MalformedFrames,
    long TtlExpired,
    long Forwarded,
    IReadOnlyList<PeerStatistics> Peers);

/// <summary>Figures of one peer.</summary>
/// <param name="Peer">The peer.</param>
/// <param name="QueueDepth">Frames waiting in its output buffer.</param>
/// <param name="Dropped">Messages dropped by its overflow policy.</param>
/// <param name="MalformedFrames">Frames from it that did not parse.</param>
public sealed record PeerStatistics(PeerInfo Peer, int QueueDepth, long Dropped, long MalformedFrames);
