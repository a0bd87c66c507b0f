// The seed's testlog.bro, logs-listener.bro / logs-connector.bro as one program with two modes.
//   dotnet run --project samples/Logs -- listener [--host 127.0.0.1] [--port 9999]
//   dotnet run --project samples/Logs -- connector [--host 127.0.0.1] [--port 9999]
using Broker;
using Broker.Data;
using Broker.Samples;
using Broker.Samples.Logs;

return await SampleArgs.RunAsync(args, "Logs", ListenerAsync, ConnectorAsync);

static async Task ListenerAsync(SampleArgs args)
{
    await using var endpoint = new BrokerEndpoint(new BrokerEndpointOptions { Name = "listener" });
    await using var status = endpoint.SubscribeEvents();

    // Broker::subscribe_to_logs("bro/log/Test::LOG")
    await using var log = TestInfo.Subscribe(endpoint);
    await endpoint.ListenAsync(args.Host, args.Port);

    var peer = await status.PeerAddedAsync();
    BroPrint.Line("Broker::incoming_connection_established", peer.Name);

    // event Test::log_test(rec: Test::Info)
    await foreach (var rec in log)
    {
        BroPrint.Line("wrote log", rec.ToBro());
        if (rec.Num == 5)
        {
            break; // terminate()
        }
    }
}

static async Task ConnectorAsync(SampleArgs args)
{
    await using var endpoint = new BrokerEndpoint(new BrokerEndpointOptions { Name = "connector" });
    await using var status = endpoint.SubscribeEvents();

    // Broker::enable_remote_logs(Test::LOG): every write is sent to peers.
    var log = TestInfo.Writer(endpoint);

    var peer = await endpoint.PeerAsync(args.Host, args.Port, retry: TimeSpan.FromSeconds(1));
    BroPrint.Line("Broker::outgoing_connection_established", peer.Address, BrokerPort.Tcp((ushort)peer.Port), peer.Name);

    // event do_write(): Log::write(Test::LOG, [$msg = "ping", $num = n]) for n = 0 .. 5
    for (ulong n = 0; n < 6; n++)
    {
        log.Write(new TestInfo("ping", n));
    }

    // Broker::outgoing_connection_broken -> terminate()
    await status.PeerGoneAsync(peer);
}

namespace Broker.Samples.Logs
{
    /// <summary>The seed's <c>Test::Info</c> record of the <c>Test::LOG</c> stream (path "test").</summary>
    /// <param name="Msg">The message.</param>
    /// <param name="Num">The sequence number.</param>
    [LogStream("Test::LOG", Path = "test")]
    public partial record TestInfo(string Msg, ulong Num)
    {
        /// <summary>The record as Bro prints it: <c>[msg=ping, num=0]</c>.</summary>
        public BroRecord ToBro() => BroPrint.Record(("msg", Msg), ("num", Num));
    }
}
