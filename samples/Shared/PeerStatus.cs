namespace Broker.Samples;

/// <summary>
/// The seed's connection events (<c>Broker::incoming_connection_established</c>, <c>..._broken</c>, ...) on top of
/// the endpoint's status stream: wait for the next peering that was added, or for a given peer to go away.
/// </summary>
public static class PeerStatus
{
    /// <summary>Waits for the next completed handshake (the seed's <c>*_connection_established</c>).</summary>
    public static async Task<PeerInfo> PeerAddedAsync(this EventSubscription events, CancellationToken cancellationToken = default)
    {
        await foreach (var e in events.WithCancellation(cancellationToken))
        {
            if (e is StatusEvent { Code: StatusCode.PeerAdded, Peer: { } peer })
            {
                return peer;
            }
        }

        throw new InvalidOperationException("the endpoint shut down before a peer connected");
    }

    /// <summary>
    /// Waits until <paramref name="peer"/> is gone, removed (BYE) or lost (connection closed): the seed's
    /// <c>*_connection_broken</c>.
    /// </summary>
    public static async Task<PeerInfo> PeerGoneAsync(this EventSubscription events, PeerInfo peer, CancellationToken cancellationToken = default)
    {
        await foreach (var e in events.WithCancellation(cancellationToken))
        {
            if (e is StatusEvent { Code: StatusCode.PeerLost or StatusCode.PeerRemoved, Peer: { } gone } && gone.Id == peer.Id)
            {
                return gone;
            }
        }

        throw new InvalidOperationException("the endpoint shut down while waiting for the peer to go away");
    }
}
