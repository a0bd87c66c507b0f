using Broker.Data;
using Broker.Serialization;

namespace Broker;

/// <summary>
/// One message on its way into a subscription's queue: either a decoded value (<see cref="Data"/>) or, for
/// subscriptions that read the bytes themselves (generated typed handlers), the still-encoded value
/// (<see cref="Payload"/>, validated against the endpoint's decode limits), so no <see cref="BrokerData"/> tree is
/// built for them. A payload is never empty (every value takes at least one byte), so an empty one means "decoded".
/// </summary>
internal readonly struct Delivery
{
    /// <summary>
    /// For payloads the endpoint already checked against its own (possibly larger than default) limits: only the
    /// decoder's stack guard still applies.
    /// </summary>
    public static readonly BrokerDecodeLimits AlreadyValidated = new() { MaxDepth = int.MaxValue, MaxCollectionCount = int.MaxValue, MaxStringBytes = int.MaxValue };

    public Delivery(string topic, in BrokerData data, EndpointId sender)
    {
        Topic = topic;
        Data = data;
        Sender = sender;
    }

    public Delivery(string topic, ReadOnlyMemory<byte> payload, EndpointId sender)
    {
        Topic = topic;
        Payload = payload;
        Sender = sender;
    }

    public string Topic { get; }

    /// <summary>The value, when <see cref="IsEncoded"/> is false.</summary>
    public BrokerData Data { get; }

    /// <summary>The encoded value, when <see cref="IsEncoded"/> is true.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    public EndpointId Sender { get; }

    public bool IsEncoded => !Payload.IsEmpty;

    /// <summary>The value, decoded now if it arrived encoded (it was validated on arrival, so this does not fail).</summary>
    public BrokerData Value => IsEncoded ? BrokerBinary.Decode(Payload.Span, AlreadyValidated) : Data;

    public BrokerMessage ToMessage() => new(Topic, Value, Sender);
}
