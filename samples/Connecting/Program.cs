// The seed's connecting-listener.bro / connecting-connector.bro as one program with two modes.
//   dotnet run --project samples/Connecting -- listener [--host 127.0.0.1] [--port 9999]
//   dotnet run --project samples/Connecting -- connector [--host 127.0.0.1] [--port 9999]
using Broker;
using Broker.Data;
using Broker.Samples;

return await SampleArgs.RunAsync(args, "Connecting", ListenerAsync, ConnectorAsync);

static async Task ListenerAsync(SampleArgs args)
{
    await using var endpoint = new BrokerEndpoint(new BrokerEndpointOptions { Name = "listener" });
    await using var status = endpoint.SubscribeEvents();
    await endpoint.ListenAsync(args.Host, args.Port);

    var peer = await status.PeerAddedAsync();
    BroPrint.Line("Broker::incoming_connection_established", peer.Name);

    var gone = await status.PeerGoneAsync(peer);
    BroPrint.Line("Broker::incoming_connection_broken", gone.Name);
    // terminate(): disposing the endpoint closes the listening socket.
}

static async Task ConnectorAsync(SampleArgs args)
{
    await using var endpoint = new BrokerEndpoint(new BrokerEndpointOptions { Name = "connector" });

    // Broker::connect("127.0.0.1", broker_port, 1sec): retries every second until the listener is there.
    var peer = await endpoint.PeerAsync(args.Host, args.Port, retry: TimeSpan.FromSeconds(1));
    BroPrint.Line("Broker::outgoing_connection_established", peer.Address, BrokerPort.Tcp((ushort)peer.Port), peer.Name);
    // terminate(): disposing the endpoint says BYE, so the listener sees its connection broken.
}
