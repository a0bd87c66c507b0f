using Microsoft.Extensions.Logging;

namespace Broker.Stores.Actors;

/// <summary>
/// What store actors need from an endpoint: command frames on the store topics. The endpoint implements it
/// (<see cref="EndpointStoreTransport"/>); keeping it an interface lets the actors run before and without a network.
/// </summary>
internal interface IStoreTransport
{
    /// <summary>This endpoint's id.</summary>
    EndpointId LocalId { get; }

    /// <summary>The default store clock.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>Loggers, if any.</summary>
    ILoggerFactory? LoggerFactory { get; }

    /// <summary>Sends a command frame to matching peers and local handlers.</summary>
    void Send(string topic, ReadOnlyMemory<byte> payload, EndpointId receiver);

    /// <summary>Registers a command handler for a topic prefix.</summary>
    IDisposable Subscribe(string topicPrefix, Action<CommandMessage> handler);

    /// <summary>True when some peer advertises a filter matching the topic.</summary>
    bool AnyPeerSubscribes(string topic);

    /// <summary>True when a local data subscriber would receive a message on the topic.</summary>
    bool HasLocalSubscriber(string topic);

    /// <summary>Delivers data to local subscribers only (store events on <c>&lt;$&gt;/local/</c>); never forwarded.</summary>
    void PublishLocal(string topic, in Data.BrokerData data);

    /// <summary>Subscribes to local data (the typed store-event view uses it).</summary>
    BrokerSubscription SubscribeLocal(string prefix, SubscriberOptions? options);
}

/// <summary>The endpoint's command transport.</summary>
internal sealed class EndpointStoreTransport(BrokerEndpoint endpoint) : IStoreTransport
{
    public EndpointId LocalId => endpoint.Id;

    public TimeProvider TimeProvider => endpoint.Options.TimeProvider;

    public ILoggerFactory? LoggerFactory => endpoint.Options.LoggerFactory;

    public void Send(string topic, ReadOnlyMemory<byte> payload, EndpointId receiver) => endpoint.SendCommand(topic, payload, receiver);

    public IDisposable Subscribe(string topicPrefix, Action<CommandMessage> handler) => endpoint.AddCommandHandler(topicPrefix, handler);

    public bool AnyPeerSubscribes(string topic) => endpoint.AnyPeerSubscribes(topic);

    public bool HasLocalSubscriber(string topic) => endpoint.Core.HasLocalSubscriber(topic);

    public void PublishLocal(string topic, in Data.BrokerData data) => endpoint.Core.PublishLocal(topic, data);

    public BrokerSubscription SubscribeLocal(string prefix, SubscriberOptions? options) => endpoint.Subscribe(prefix, options);
}

/// <summary>The reserved store topics (spec §2.2).</summary>
internal static class StoreTopics
{
    public static string Master(string name) => name + "/<$>/data/master";

    public static string Clone(string name) => name + "/<$>/data/clone";

    /// <summary>Where a store's change events go: Broker's <c>topic::store_events() / name</c>.</summary>
    public static string Events(string name) => StoreChange.TopicPrefix + "/" + name;
}
