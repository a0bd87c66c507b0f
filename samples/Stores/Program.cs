// The seed's stores-listener.bro / stores-connector.bro as one program with two modes.
//   dotnet run --project samples/Stores -- listener [--host 127.0.0.1] [--port 9999]
//   dotnet run --project samples/Stores -- connector [--host 127.0.0.1] [--port 9999]
// The connector owns the master of "mystore", fills it, prints its size and raises `ready`; the listener then
// clones the store and looks every key up in its local replica. Every query is awaited with the seed's 10 s timeout.
using System.Collections.Immutable;
using Broker;
using Broker.Data;
using Broker.Samples;
using Broker.Stores;
using Broker.Samples.Stores;

return await SampleArgs.RunAsync(args, "Stores", ListenerAsync, ConnectorAsync);

static async Task ListenerAsync(SampleArgs args)
{
    await using var endpoint = new BrokerEndpoint();

    // Broker::subscribe_to_events("bro/event/ready") with a handler for `ready`.
    var ready = new ReadyHandler();
    await using (IStoreEvents.Subscribe(endpoint, ready))
    {
        await endpoint.ListenAsync(args.Host, args.Port);
        await ready.Raised;
    }

    // event ready(): h = Broker::create_clone("mystore") — waits for the master's snapshot.
    await using var clone = await endpoint.AttachCloneAsync("mystore");

    ImmutableArray<BrokerData> keys; // Broker::keys gave the seed a vector; ours is the sorted key set
    using (var timeout = new CancellationTokenSource(Seed.QueryTimeout))
    {
        try
        {
            keys = (await clone.KeysAsync(timeout.Token)).AsSet();
        }
        catch (Exception ex) when (ex is OperationCanceledException or StoreTimeoutException)
        {
            BroPrint.Line("timeout");
            return;
        }
    }

    BroPrint.Line("clone keys", keys);
    foreach (var key in keys)
    {
        await LookupAsync(clone, key.AsString());
    }
}

// function do_lookup(key: string): when (local res = Broker::lookup(h, Broker::data(key))) ... timeout 10sec
static async Task LookupAsync(DataStore store, string key)
{
    using var timeout = new CancellationTokenSource(Seed.QueryTimeout);
    try
    {
        var value = await store.LookupAsync(key, timeout.Token);
        BroPrint.Line("lookup", key, value ?? BrokerData.None);
    }
    catch (Exception ex) when (ex is OperationCanceledException or StoreTimeoutException)
    {
        BroPrint.Line("timeout", key);
    }
}

static async Task ConnectorAsync(SampleArgs args)
{
    await using var endpoint = new BrokerEndpoint();
    await using var status = endpoint.SubscribeEvents();

    var peer = await endpoint.PeerAsync(args.Host, args.Port, retry: TimeSpan.FromSeconds(1));

    // event Broker::outgoing_connection_established: create the master and fill it.
    await using var master = await endpoint.AttachMasterAsync("mystore", StoreBackendOptions.Memory);
    master.Insert("one", BrokerData.Count(110));
    master.Insert("two", BrokerData.Count(223));
    master.Insert("myset", BrokerData.Set("a", "b", "c"));
    master.Insert("myvec", BrokerData.Vector("alpha", "beta", "gamma"));
    master.Increment("one");
    master.Decrement("two");
    master.AddToSet("myset", "d");
    master.RemoveFromSet("myset", "b");
    master.PushLeft("myvec", "delta");
    master.PushRight("myvec", "omega");

    // when (local res = Broker::size(h)) { print "master size", res; event ready(); } timeout 10sec { print "timeout"; }
    using (var timeout = new CancellationTokenSource(Seed.QueryTimeout))
    {
        try
        {
            BroPrint.Line("master size", await master.SizeAsync(timeout.Token));
            // event ready(): declared AutoPublish (Broker::auto_event), so raising it also sends it to the listener.
            IStoreEvents.AutoPublisher(endpoint, new ReadyHandler()).Ready();
        }
        catch (Exception ex) when (ex is OperationCanceledException or StoreTimeoutException)
        {
            BroPrint.Line("timeout");
        }
    }

    // Broker::outgoing_connection_broken -> terminate()
    await status.PeerGoneAsync(peer);
}

internal static class Seed
{
    /// <summary>The seed's <c>timeout 10sec</c> on every query.</summary>
    public static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(10);
}

namespace Broker.Samples.Stores
{
    /// <summary>The seed's <c>global ready: event()</c>, sent on <c>bro/event/ready</c>.</summary>
    [BrokerEvents("bro/event/")]
    public partial interface IStoreEvents
    {
        /// <summary>The master is filled: clone it.</summary>
        [BrokerEvent("ready", AutoPublish = true)]
        void Ready();
    }

    /// <summary>Completes <see cref="Raised"/> when <c>ready</c> arrives (the connector has no local handler).</summary>
    internal sealed class ReadyHandler : IStoreEvents
    {
        private readonly TaskCompletionSource _raised = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Raised => _raised.Task;

        public void Ready() => _raised.TrySetResult();
    }
}
