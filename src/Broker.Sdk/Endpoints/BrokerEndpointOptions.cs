using Broker.Serialization;
using Microsoft.Extensions.Logging;

namespace Broker;

/// <summary>Endpoint configuration. Immutable; every default is documented and matches Broker unless noted.</summary>
public sealed record BrokerEndpointOptions
{
    /// <summary>A descriptive name (the seed's <c>Broker::endpoint_name</c>); defaults to the endpoint id.</summary>
    public string? Name { get; init; }

    /// <summary>A fixed endpoint id; a random one by default.</summary>
    public EndpointId? Id { get; init; }

    /// <summary>Re-send messages received from one peer to other peers whose filter matches (Broker: true; Zeek sets false).</summary>
    public bool ForwardMessages { get; init; } = true;

    /// <summary>Access-control flags (default: auto-publish and auto-advertise).</summary>
    public EndpointFlags Flags { get; init; } = EndpointFlags.Default;

    /// <summary>Messages queued per peer before <see cref="PeerOverflowPolicy"/> applies (Broker: 2048).</summary>
    public int PeerBufferSize { get; init; } = 2048;

    /// <summary>What happens when a peer's queue is full (default <see cref="OverflowPolicy.DropOldest"/>, as Zeek).</summary>
    public OverflowPolicy PeerOverflowPolicy { get; init; } = OverflowPolicy.DropOldest;

    /// <summary>Default capacity of a subscriber's queue (Broker: 64 — we use 1024 to absorb bursts).</summary>
    public int SubscriberQueueSize { get; init; } = 1024;

    /// <summary>Default overflow policy of a subscriber's queue.</summary>
    public OverflowPolicy SubscriberOverflowPolicy { get; init; } = OverflowPolicy.DropOldest;

    /// <summary>A connection that has not completed its handshake by then is closed (default 10 s).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long <c>peer_added</c> (and <see cref="BrokerEndpoint.PeerAsync"/>) waits after a handshake for the peer's
    /// name (default 500 ms). Another Broker.Sdk endpoint sends its name at once and a real Broker node answers our
    /// name ping within one round trip, so the full wait only applies to a peer that never answers pings. A name
    /// that arrives later still updates <see cref="BrokerEndpoint.Peers"/>. See docs/peering.md, "Peer names".
    /// </summary>
    public TimeSpan PeerNameTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The largest frame accepted before the handshake completes (default 1 KiB; handshake frames are tiny).</summary>
    public int MaxHandshakeFrameSize { get; init; } = 1024;

    /// <summary>The largest frame accepted after the handshake (default 16 MiB).</summary>
    public int MaxFrameSize { get; init; } = 16 << 20;

    /// <summary>
    /// A peer connection that receives no bytes for this long is closed with a <c>peer_timeout</c> error (default
    /// infinite: Broker peers send nothing when idle, so only set this where traffic is steady).
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>The longest topic (UTF-8 bytes) accepted from a peer; a longer one closes that connection (default 4096).</summary>
    public int MaxTopicLength { get; init; } = 4096;

    /// <summary>Mutual TLS for native peering (Broker's openssl_* options); null or empty means plain TCP. See docs/tls.md.</summary>
    public BrokerTlsOptions? Tls { get; init; }

    /// <summary>The most peers (inbound plus outbound) accepted at once (default 1024).</summary>
    public int MaxPeers { get; init; } = 1024;

    /// <summary>Limits applied when decoding data from peers.</summary>
    public BrokerDecodeLimits DecodeLimits { get; init; } = BrokerDecodeLimits.Default;

    /// <summary>Where the endpoint logs; nothing is logged by default.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The clock for timeouts, retries and store expiry (tests pass a fake one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>Options of one subscription.</summary>
public sealed record SubscriberOptions
{
    /// <summary>Queue capacity; the endpoint's <see cref="BrokerEndpointOptions.SubscriberQueueSize"/> when null.</summary>
    public int? QueueSize { get; init; }

    /// <summary>Overflow policy; the endpoint's <see cref="BrokerEndpointOptions.SubscriberOverflowPolicy"/> when null.</summary>
    public OverflowPolicy? OverflowPolicy { get; init; }
}
