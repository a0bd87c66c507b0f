// The seed's events-listener.bro / events-connector.bro as one program with two modes.
//   dotnet run --project samples/Events -- listener [--host 127.0.0.1] [--port 9999]
//   dotnet run --project samples/Events -- connector [--host 127.0.0.1] [--port 9999]
using Broker;
using Broker.Data;
using Broker.Samples;
using Broker.Samples.Events;

return await SampleArgs.RunAsync(args, "Events", ListenerAsync, ConnectorAsync);

static async Task ListenerAsync(SampleArgs args)
{
    await using var endpoint = new BrokerEndpoint(new BrokerEndpointOptions { Name = "listener" });
    await using var status = endpoint.SubscribeEvents();

    // Broker::subscribe_to_events("bro/event/") with handlers for my_event and my_auto_event.
    var handlers = new ListenerHandlers(expected: 5);
    await using var registration = IDemoEvents.Subscribe(endpoint, handlers);
    await endpoint.ListenAsync(args.Host, args.Port);

    var peer = await status.PeerAddedAsync();
    BroPrint.Line("Broker::incoming_connection_established", peer.Name);

    handlers.ConnectionPrinted();
    await handlers.Done; // terminate() after the 5th event
}

static async Task ConnectorAsync(SampleArgs args)
{
    await using var endpoint = new BrokerEndpoint(new BrokerEndpointOptions { Name = "connector" });
    await using var status = endpoint.SubscribeEvents();

    // Broker::send_event(...) publishes; raising an event with Broker::auto_event publishes it too.
    var send = IDemoEvents.Publisher(endpoint);
    var raise = IDemoEvents.AutoPublisher(endpoint, new ConnectorHandlers());

    var peer = await endpoint.PeerAsync(args.Host, args.Port, retry: TimeSpan.FromSeconds(1));
    BroPrint.Line("Broker::outgoing_connection_established", peer.Address, BrokerPort.Tcp((ushort)peer.Port), peer.Name);

    send.MyEvent("hi", 0);
    raise.MyAutoEvent("stuff", 88);
    send.MyEvent("...", 1);
    raise.MyAutoEvent("more stuff", 51);
    send.MyEvent("bye", 2);

    // Broker::outgoing_connection_broken -> terminate()
    await status.PeerGoneAsync(peer);
}

namespace Broker.Samples.Events
{
    /// <summary>The seed's <c>global my_event: event(msg: string, c: count)</c> and <c>my_auto_event</c>.</summary>
    [BrokerEvents("bro/event/")]
    public partial interface IDemoEvents
    {
        /// <summary>Sent explicitly with <c>Broker::send_event</c>.</summary>
        [BrokerEvent("my_event")]
        void MyEvent(string msg, ulong c);

        /// <summary>Sent whenever it is raised locally (<c>Broker::auto_event</c>).</summary>
        [BrokerEvent("my_auto_event", AutoPublish = true)]
        void MyAutoEvent(string msg, ulong c);
    }

    /// <summary>The listener's event handlers: print each event, finish after the expected number.</summary>
    internal sealed class ListenerHandlers(int expected) : IDemoEvents
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _connectionPrinted = new();
        private int _count;

        /// <summary>Completes after the expected number of events.</summary>
        public Task Done => _done.Task;

        /// <summary>
        /// Bro runs the connection event before the first remote event. Typed handlers run on their own loop,
        /// concurrently with the status stream, so they wait until the connection line is out.
        /// </summary>
        public void ConnectionPrinted() => _connectionPrinted.Set();

        public void MyEvent(string msg, ulong c) => Got("got my_event", msg, c);

        public void MyAutoEvent(string msg, ulong c) => Got("got my_auto_event", msg, c);

        private void Got(string what, string msg, ulong c)
        {
            _connectionPrinted.Wait();
            BroPrint.Line(what, msg, c);
            if (Interlocked.Increment(ref _count) == expected)
            {
                _done.TrySetResult();
            }
        }
    }

    /// <summary>The connector has no local handlers for my_auto_event; raising it only sends it.</summary>
    internal sealed class ConnectorHandlers : IDemoEvents
    {
        public void MyEvent(string msg, ulong c)
        {
        }

        public void MyAutoEvent(string msg, ulong c)
        {
        }
    }
}
