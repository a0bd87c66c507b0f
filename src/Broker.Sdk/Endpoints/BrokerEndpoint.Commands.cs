namespace Broker;

/// <summary>A data-store command frame (native type 2) as delivered to a store actor.</summary>
/// <param name="Topic">The store topic, e.g. <c>mystore/&lt;$&gt;/data/master</c>.</param>
/// <param name="Sender">The endpoint that sent it (the last hop), or this endpoint's id for a local send.</param>
/// <param name="Receiver">The envelope receiver, or <see cref="EndpointId.Nil"/> for broadcast.</param>
/// <param name="Payload">The serialized <c>internal_command</c> (spec §7).</param>
internal readonly record struct CommandMessage(string Topic, EndpointId Sender, EndpointId Receiver, ReadOnlyMemory<byte> Payload);

/// <content>The transport that data stores use: Broker command frames on the reserved store topics.</content>
public sealed partial class BrokerEndpoint
{
    /// <summary>
    /// Sends a command frame to every peer whose filter matches <paramref name="topic"/> and to local command
    /// handlers whose prefix matches (so a master and a clone on one endpoint talk through the same path).
    /// Never blocks; subject to the per-peer queue policy.
    /// </summary>
    /// <param name="topic">The store topic.</param>
    /// <param name="payload">The serialized command (copied or retained until written).</param>
    /// <param name="receiver">The envelope receiver, or nil for broadcast.</param>
    internal void SendCommand(string topic, ReadOnlyMemory<byte> payload, EndpointId receiver = default) =>
        Core.SendCommand(topic, payload, receiver);

    /// <summary>
    /// Registers a handler for command frames whose topic starts with <paramref name="topicPrefix"/>, and adds the
    /// prefix to the filter advertised to peers. Handlers run on one endpoint-owned thread at a time, in order per
    /// peer; they must not block. Dispose the result to remove it.
    /// </summary>
    /// <param name="topicPrefix">The store topic prefix.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>The registration.</returns>
    internal IDisposable AddCommandHandler(string topicPrefix, Action<CommandMessage> handler) =>
        Core.AddCommandHandler(topicPrefix, handler);

    /// <summary>True when some peer currently advertises a filter entry matching <paramref name="topic"/> (used for master_exists).</summary>
    /// <param name="topic">The topic.</param>
    /// <returns>True on a match.</returns>
    internal bool AnyPeerSubscribes(string topic) => Core.AnyPeerSubscribes(topic);
}
