namespace Broker;

/// <summary>Per-message delivery flags of the seed API (Bro 2.5 <c>Broker::SendFlags</c>).</summary>
[Flags]
public enum SendFlags
{
    /// <summary>Deliver nowhere (useful only to test access control).</summary>
    None = 0,
    /// <summary>Also deliver to matching subscribers of the sending endpoint itself.</summary>
    Self = 0x01,
    /// <summary>Send to each peer whose advertised filter matches the topic (the default).</summary>
    Peers = 0x02,
    /// <summary>Together with <see cref="Peers"/>: send to every peer, whatever it advertised.</summary>
    Unsolicited = 0x04,
    /// <summary>The seed's default for scripts: peers only.</summary>
    Default = Peers,
}

/// <summary>Endpoint-wide access-control flags of the seed API (Bro 2.5 <c>Broker::EndpointFlags</c>).</summary>
[Flags]
public enum EndpointFlags
{
    /// <summary>Neither flag: only allow-listed topics are sent and only allow-listed prefixes advertised.</summary>
    None = 0,
    /// <summary>Any topic may be sent to peers; when off, only topics in the publish allow-list (exact match).</summary>
    AutoPublish = 0x01,
    /// <summary>Every local subscription is advertised; when off, only those in the advertise allow-list.</summary>
    AutoAdvertise = 0x02,
    /// <summary>Both flags (the default).</summary>
    Default = AutoPublish | AutoAdvertise,
}

/// <summary>What a bounded queue does when it is full.</summary>
public enum OverflowPolicy
{
    /// <summary>Drop the oldest queued item to make room (Zeek's default since 7.2).</summary>
    DropOldest,
    /// <summary>Drop the item being added.</summary>
    DropNewest,
    /// <summary>Close the connection (peers) or complete the subscription with an error (subscribers).</summary>
    Disconnect,
}
