// A tour of Broker.Sdk in one process, no arguments:  dotnet run --project samples/Quickstart
// Two endpoints peer over loopback, exchange a typed event and a log record, and share a data store
// (master on one, clone on the other) queried with an awaited lookup that has a timeout.
using Broker;
using Broker.Data;
using Broker.Samples;
using Broker.Samples.Quickstart;
using Broker.Stores;

// The whole tour must finish quickly; nothing below may wait longer than this.
using var tour = new CancellationTokenSource(TimeSpan.FromSeconds(20));
var ct = tour.Token;

Console.WriteLine("Broker.Sdk quickstart");

// 1. Two endpoints. "hub" listens on a free loopback port; "sensor" peers with it, retrying every second.
await using var hub = new BrokerEndpoint(new BrokerEndpointOptions { Name = "hub" });
await using var sensor = new BrokerEndpoint(new BrokerEndpointOptions { Name = "sensor" });
await using var hubStatus = hub.SubscribeEvents();

// Subscriptions made before peering are part of the handshake, so nothing sent afterwards is missed.
var alerts = new AlertHandler();
await using var alertRegistration = IAlerts.Subscribe(hub, alerts);
await using var connections = Connection.Subscribe(hub);

var listening = await hub.ListenAsync("127.0.0.1", 0, ct);
Console.WriteLine($"[1] hub listening on {listening}");
var peer = await sensor.PeerAsync("127.0.0.1", listening.Port, retry: TimeSpan.FromSeconds(1), ct);
Console.WriteLine($"[1] sensor peered with the hub at {peer.Address}:{peer.Port}");
var inbound = await hubStatus.PeerAddedAsync(ct);
Console.WriteLine($"[1] hub saw {inbound.Direction.ToString().ToLowerInvariant()} peer {inbound.Name}");

// 2. A typed event: IAlerts.Publisher(...) is generated from the [BrokerEvents] contract below.
IAlerts.Publisher(sensor).PortScan("10.0.0.7", 42);
var (source, ports) = await alerts.Received.WaitAsync(ct);
Console.WriteLine($"[2] hub handled event port_scan({source}, {ports}) from topic {IAlerts.BrokerTopicPrefix}port_scan");

// 3. A log record: Connection.Writer(...) publishes on bro/log/Demo::CONN, Connection.Subscribe(...) reads it back typed.
Connection.Writer(sensor).Write(new Connection("10.0.0.7", 443, "tls"));
await using (var records = connections.GetAsyncEnumerator(ct))
{
    if (await records.MoveNextAsync())
    {
        Console.WriteLine($"[3] hub received log record {BroPrint.Format(records.Current.ToBro())} on {Connection.BrokerLogStream.Topic}");
    }
}

// 4. A data store: the master lives on the hub (in memory), the sensor keeps a synchronized clone.
await using var master = await hub.AttachMasterAsync("inventory", StoreBackendOptions.Memory, cancellationToken: ct);
await master.PutAsync("10.0.0.7", BrokerData.Set("http", "tls"), cancellationToken: ct);
master.Increment("scans", 1);
await using var clone = await sensor.AttachCloneAsync("inventory", cancellationToken: ct);
Console.WriteLine($"[4] sensor attached a clone of '{clone.Name}'");

// Every query is awaited with a timeout: a lost master can never hang the caller.
using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
{
    timeout.CancelAfter(TimeSpan.FromSeconds(5));
    var services = await clone.LookupAsync("10.0.0.7", timeout.Token);
    Console.WriteLine($"[4] clone lookup 10.0.0.7 -> {BroPrint.Format(services ?? BrokerData.None)}");

    // Writes through the clone go to the master, which applies them and updates every clone.
    await clone.IncrementAsync("scans", BrokerData.Integer(1), cancellationToken: timeout.Token);
    Console.WriteLine($"[4] master lookup scans -> {await master.LookupAsync("scans", timeout.Token)}");
    Console.WriteLine($"[4] master size -> {await master.SizeAsync(timeout.Token)}");
}

// 5. Shutting down says BYE; the hub sees the peer go away.
await sensor.ShutdownAsync(ct);
var gone = await hubStatus.PeerGoneAsync(inbound, ct);
Console.WriteLine($"[5] sensor shut down; hub saw peer {gone.Name} go away");
Console.WriteLine("done");

namespace Broker.Samples.Quickstart
{
    /// <summary>A typed event contract: the generator emits the publisher and the dispatcher.</summary>
    [BrokerEvents("demo/alerts/")]
    public partial interface IAlerts
    {
        /// <summary>A host scanned many ports.</summary>
        [BrokerEvent("port_scan")]
        void PortScan(string source, ulong ports);
    }

    /// <summary>The hub's handler of <see cref="IAlerts"/>.</summary>
    internal sealed class AlertHandler : IAlerts
    {
        private readonly TaskCompletionSource<(string, ulong)> _received = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<(string Source, ulong Ports)> Received => _received.Task;

        public void PortScan(string source, ulong ports) => _received.TrySetResult((source, ports));
    }

    /// <summary>A typed log stream record.</summary>
    /// <param name="Host">The responder.</param>
    /// <param name="Port">The responder port.</param>
    /// <param name="Service">The detected service.</param>
    [LogStream("Demo::CONN", Path = "conn")]
    public partial record Connection(string Host, ulong Port, string Service)
    {
        /// <summary>The record as Bro prints it.</summary>
        public BroRecord ToBro() => BroPrint.Record(("host", Host), ("port", Port), ("service", Service));
    }
}
