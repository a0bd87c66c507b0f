using Broker.Data;

namespace Broker;

/// <summary>
/// Something that publishes Broker messages by topic: a <see cref="BrokerEndpoint"/> (native peering) or a
/// <see cref="WebSockets.BrokerWebSocketClient"/> (JSON API v1). Generated event publishers target this, so a typed
/// contract works unchanged over either transport.
/// </summary>
public interface IBrokerPublisher
{
    /// <summary>Publishes a value on a topic. Never blocks: the message is queued under the transport's overflow policy.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="data">The value.</param>
    void Publish([TopicParameter(TopicUsage.Publish)] string topic, in BrokerData data);

    /// <summary>
    /// Publishes a value that writes itself (a generated event). A transport with a binary path encodes it straight
    /// into its frame; the default builds its <see cref="BrokerData"/> and publishes that.
    /// </summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="topic">The topic.</param>
    /// <param name="value">The value.</param>
    void Publish<T>([TopicParameter(TopicUsage.Publish)] string topic, in T value)
        where T : Serialization.IBrokerValue => Publish(topic, value.ToBrokerData());
}
