using Broker.Data;

namespace Broker;

/// <summary>A message received on a topic: the topic, the value, and the endpoint it came from.</summary>
/// <param name="Topic">The full topic the message was published on.</param>
/// <param name="Data">The value.</param>
/// <param name="Sender">The peer it arrived from (the last hop), or <see cref="EndpointId.Nil"/> for a local publish.</param>
public readonly record struct BrokerMessage(string Topic, BrokerData Data, EndpointId Sender);
