using Broker.Data;
using Broker.Stores.Wire;

namespace Broker.Stores.Actors;

/// <summary>
/// Publishes one store's change events (spec §5.8) to local subscribers. Builds nothing while nobody listens; reuses
/// the store name and the last publisher's data (nearly always the same writer), so an event costs one vector.
/// Not thread-safe: the owning actor calls it under its lock, which also keeps events in apply order.
/// </summary>
internal sealed class StoreEventEmitter(IStoreTransport transport, string store)
{
    private readonly string _topic = StoreTopics.Events(store);
    private readonly BrokerData _store = BrokerData.String(store);
    private EntityId _lastPublisher;
    private BrokerData _lastEndpoint = BrokerData.None;
    private BrokerData _lastObject = BrokerData.None;

    /// <summary>True when a local subscription matches this store's event topic.</summary>
    public bool Wanted => transport.HasLocalSubscriber(_topic);

    public void Insert(in BrokerData key, in BrokerData value, long? expiryNs, EntityId publisher)
    {
        Publisher(publisher);
        transport.PublishLocal(_topic, BrokerData.Vector(StoreChange.InsertTag, _store, key, value, Span(expiryNs), _lastEndpoint, _lastObject));
    }

    public void Update(in BrokerData key, in BrokerData oldValue, in BrokerData newValue, long? expiryNs, EntityId publisher)
    {
        Publisher(publisher);
        transport.PublishLocal(_topic, BrokerData.Vector(StoreChange.UpdateTag, _store, key, oldValue, newValue, Span(expiryNs), _lastEndpoint, _lastObject));
    }

    public void Erase(in BrokerData key, EntityId publisher)
    {
        Publisher(publisher);
        transport.PublishLocal(_topic, BrokerData.Vector(StoreChange.EraseTag, _store, key, _lastEndpoint, _lastObject));
    }

    public void Expire(in BrokerData key, EntityId publisher)
    {
        Publisher(publisher);
        transport.PublishLocal(_topic, BrokerData.Vector(StoreChange.ExpireTag, _store, key, _lastEndpoint, _lastObject));
    }

    private static BrokerData Span(long? ns) => ns is { } v ? BrokerData.Timespan(v) : BrokerData.None;

    // Broker: an endpoint id converts to data as its UUID string; a nil entity becomes none, none.
    private void Publisher(EntityId publisher)
    {
        if (publisher == _lastPublisher && !_lastEndpoint.IsNone)
        {
            return;
        }

        _lastPublisher = publisher;
        _lastEndpoint = publisher.IsNil ? BrokerData.None : BrokerData.String(publisher.Endpoint.ToString());
        _lastObject = publisher.IsNil ? BrokerData.None : BrokerData.Count(publisher.Object);
    }
}
