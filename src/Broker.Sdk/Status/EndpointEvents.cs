using System.Net;
using Broker.Data;
using Broker.Errors;

namespace Broker;

/// <summary>Broker's status codes (<c>sc</c>), identical in Broker 1.4 and 2.3+.</summary>
public enum StatusCode
{
    /// <summary>Unspecified.</summary>
    Unspecified = 0,
    /// <summary>A peering handshake completed.</summary>
    PeerAdded = 1,
    /// <summary>A peering was removed on purpose (unpeer, shutdown).</summary>
    PeerRemoved = 2,
    /// <summary>A peering was lost (connection closed or broken).</summary>
    PeerLost = 3,
    /// <summary>A new endpoint became reachable.</summary>
    EndpointDiscovered = 4,
    /// <summary>The last path to an endpoint went away.</summary>
    EndpointUnreachable = 5,
}

/// <summary>Which side opened the connection.</summary>
public enum PeerDirection
{
    /// <summary>We accepted it (the seed's "incoming").</summary>
    Inbound,
    /// <summary>We dialed it (the seed's "outgoing").</summary>
    Outbound,
}

/// <summary>What we know about a peer.</summary>
/// <param name="Id">The peer's endpoint id.</param>
/// <param name="Name">The peer's descriptive name where it could be learned, otherwise its id as text.</param>
/// <param name="Address">The remote address as dialed or accepted, when there is a network connection.</param>
/// <param name="Port">The remote TCP port.</param>
/// <param name="Direction">Who dialed.</param>
/// <param name="RetryInterval">The retry interval of an outbound peering, if any.</param>
public sealed record PeerInfo(EndpointId Id, string Name, string? Address, int Port, PeerDirection Direction, TimeSpan? RetryInterval)
{
    /// <summary>The remote endpoint as an <see cref="IPEndPoint"/>, when the address is an IP literal.</summary>
    public IPEndPoint? RemoteEndPoint => Address is not null && IPAddress.TryParse(Address, out var ip) ? new IPEndPoint(ip, Port) : null;
}

/// <summary>A status or error event of an endpoint, delivered in order with the data of the peer it concerns.</summary>
/// <param name="Peer">The peer concerned, if any.</param>
/// <param name="Message">Broker's message text, e.g. "handshake successful".</param>
public abstract record EndpointEvent(PeerInfo? Peer, string Message);

/// <summary>A status event (spec §4.2).</summary>
/// <param name="Code">The status code.</param>
/// <param name="Peer">The peer concerned.</param>
/// <param name="Message">Broker's message text.</param>
public sealed record StatusEvent(StatusCode Code, PeerInfo? Peer, string Message) : EndpointEvent(Peer, Message)
{
    /// <summary>
    /// Broker's data form, as delivered on <see cref="StatusTopics.Statuses"/>:
    /// <c>["status", code:enum_value, [node-id, address, port, retry-seconds], message]</c>.
    /// </summary>
    /// <returns>The event as Broker data.</returns>
    public BrokerData ToData() => StatusData.Of(this);

    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Message}{(Peer is null ? "" : $" ({Peer.Name})")}";
}

/// <summary>An error event (spec §4.3): a failed connection attempt, a dropped connection, a rejected frame, a dropped message.</summary>
/// <param name="Code">Broker's error code.</param>
/// <param name="Peer">The peer concerned, if any.</param>
/// <param name="Message">What went wrong.</param>
public sealed record ErrorEvent(BrokerErrorCode Code, PeerInfo? Peer, string Message) : EndpointEvent(Peer, Message)
{
    /// <summary>
    /// Broker's data form, as delivered on <see cref="StatusTopics.Errors"/>:
    /// <c>["error", code:enum_value, context]</c> with context <c>[message]</c> or <c>[endpoint_info, message]</c>.
    /// </summary>
    /// <returns>The event as Broker data.</returns>
    public BrokerData ToData() => StatusData.Of(this);

    /// <inheritdoc />
    public override string ToString() => $"{Code.Name()}: {Message}{(Peer is null ? "" : $" ({Peer.Name})")}";
}
