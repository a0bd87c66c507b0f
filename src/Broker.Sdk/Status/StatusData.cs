using Broker.Data;
using Broker.Errors;

namespace Broker;

/// <summary>
/// Broker's endpoint-local topics on which statuses and errors are also delivered as ordinary data (spec §2.2,
/// §4.2). Local subscribers whose prefix matches receive them (the empty prefix included, as in Broker); they are
/// never advertised or forwarded to peers.
/// </summary>
public static class StatusTopics
{
    /// <summary>Status events as data: <c>["status", code:enum_value, endpoint_info, message]</c>.</summary>
    public const string Statuses = "<$>/local/data/statuses";

    /// <summary>Error events as data: <c>["error", code:enum_value, context]</c>.</summary>
    public const string Errors = "<$>/local/data/errors";
}

/// <summary>Broker's data form of status and error events (spec §4.2).</summary>
internal static class StatusData
{
    public static BrokerData Of(EndpointEvent endpointEvent) => endpointEvent switch
    {
        StatusEvent s => BrokerData.Vector(
            BrokerData.String("status"),
            BrokerData.EnumValue(NameOf(s.Code)),
            EndpointInfo(s.Peer, withNetwork: s.Code is not (StatusCode.EndpointDiscovered or StatusCode.EndpointUnreachable)),
            BrokerData.String(s.Message)),
        ErrorEvent e => BrokerData.Vector(
            BrokerData.String("error"),
            BrokerData.EnumValue(e.Code.Name()),
            e.Peer is null
                ? BrokerData.Vector(BrokerData.String(e.Message))
                : BrokerData.Vector(EndpointInfo(e.Peer, withNetwork: true), BrokerData.String(e.Message))),
        _ => BrokerData.None,
    };

    /// <summary>Broker's <c>sc</c> names (snake_case), as its <c>to_string(sc)</c> prints them.</summary>
    public static string NameOf(StatusCode code) => code switch
    {
        StatusCode.PeerAdded => "peer_added",
        StatusCode.PeerRemoved => "peer_removed",
        StatusCode.PeerLost => "peer_lost",
        StatusCode.EndpointDiscovered => "endpoint_discovered",
        StatusCode.EndpointUnreachable => "endpoint_unreachable",
        _ => "unspecified",
    };

    /// <summary>
    /// <c>[node-id:string|none, address:string|none, port|none, retry-seconds:count|none]</c>; the three network
    /// fields are all set or all none.
    /// </summary>
    private static BrokerData EndpointInfo(PeerInfo? peer, bool withNetwork)
    {
        var id = peer is null || peer.Id.IsNil ? BrokerData.None : BrokerData.String(peer.Id.ToString());
        if (!withNetwork || peer?.Address is not { } address)
        {
            return BrokerData.Vector(id, BrokerData.None, BrokerData.None, BrokerData.None);
        }

        ulong retry = peer.RetryInterval is { } r && r > TimeSpan.Zero ? (ulong)Math.Max(1, (long)r.TotalSeconds) : 0;
        return BrokerData.Vector(id, BrokerData.String(address), BrokerData.Port((ushort)peer.Port, PortProtocol.Tcp), BrokerData.Count(retry));
    }
}
