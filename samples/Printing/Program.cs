// The seed's printing-listener.bro / printing-connector.bro as one program with two modes.
//   dotnet run --project samples/Printing -- listener [--host 127.0.0.1] [--port 9999]
//   dotnet run --project samples/Printing -- connector [--host 127.0.0.1] [--port 9999]
using Broker;
using Broker.Data;
using Broker.Samples;
using Broker.Zeek;

return await SampleArgs.RunAsync(args, "Printing", ListenerAsync, ConnectorAsync);

static async Task ListenerAsync(SampleArgs args)
{
    await using var endpoint = new BrokerEndpoint(new BrokerEndpointOptions { Name = "listener" });
    await using var status = endpoint.SubscribeEvents();

    // Broker::subscribe_to_prints("bro/print/"): a prefix, so bro/print/hi, bro/print/stuff, ... all arrive.
    await using var prints = endpoint.Subscribe("bro/print/");
    await endpoint.ListenAsync(args.Host, args.Port);

    var peer = await status.PeerAddedAsync();
    BroPrint.Line("Broker::incoming_connection_established", peer.Name);

    int count = 0;
    await foreach (var message in prints)
    {
        // Broker::print_handler: a print message is the seed's one-element vector [msg].
        if (!ZeekMessages.TryDecodePrint(message.Data, out var text))
        {
            continue;
        }

        BroPrint.Line("got print message", text);
        if (++count == 3)
        {
            break; // terminate()
        }
    }
}

static async Task ConnectorAsync(SampleArgs args)
{
    await using var endpoint = new BrokerEndpoint(new BrokerEndpointOptions { Name = "connector" });
    await using var status = endpoint.SubscribeEvents();

    var peer = await endpoint.PeerAsync(args.Host, args.Port, retry: TimeSpan.FromSeconds(1));
    BroPrint.Line("Broker::outgoing_connection_established", peer.Address, BrokerPort.Tcp((ushort)peer.Port), peer.Name);

    // Broker::send_print(topic, msg)
    endpoint.PublishPrint("bro/print/hi", "hello");
    endpoint.PublishPrint("bro/print/stuff", "...");
    endpoint.PublishPrint("bro/print/bye", "goodbye");

    // Broker::outgoing_connection_broken -> terminate()
    await status.PeerGoneAsync(peer);
}
