using System.Diagnostics;
using System.Net;
using Broker;
using Broker.Data;
using Broker.Typed;

namespace Broker.LoadTest;

/// <summary>
/// Remote logging throughput: two processes over loopback. The parent writes <see cref="BenchConn"/> records with a
/// <see cref="LogWriter{TRecord}"/>, a child process (this program in <see cref="ChildMode"/>) receives them with a
/// <see cref="LogSubscription{TRecord}"/> and looks at every record. <c>--api tree|typed</c> picks the writer: a
/// BrokerData tree per record, or the generated record writer straight into the frame (the default);
/// <c>--recv tree|typed</c> the same for the subscription (the generated reader from the bytes is the default).
/// Flow control and warm-up as in <see cref="PubSubMode"/>.
/// </summary>
internal static class LogsMode
{
    public const string ChildMode = "logs-child";

    private const int AckEvery = 4096;

    public static async Task<int> RunAsync(string[] args)
    {
        int count = TwoProcess.IntArg(args, "--count", 1_000_000);
        int warmup = TwoProcess.IntArg(args, "--warmup", 500_000);
        int window = TwoProcess.IntArg(args, "--window", 32768);
        string api = TwoProcess.StringArg(args, "--api", "typed");
        string recv = TwoProcess.StringArg(args, "--recv", "typed");
        Console.WriteLine($"# Broker.LoadTest logs: {Environment.ProcessorCount} cores, .NET {Environment.Version}, count {count} after a warm-up of {warmup}, api {api}, recv {recv}, window {window}");

        await using var pub = new BrokerEndpoint(new BrokerEndpointOptions { PeerBufferSize = 65536 });
        await using var acks = pub.Subscribe("/bench/ack");
        long acked = 0;
        int port = (await pub.ListenAsync()).Port;
        using var child = TwoProcess.StartChild(ChildMode, port.ToString(), (warmup + count).ToString(), recv, warmup.ToString());
        await TwoProcess.WaitForPeerAsync(pub, BenchConn.BrokerLogStream.Topic);

        var writer = api == "tree"
            ? new LogWriter<BenchConn>(pub, BenchConn.BrokerLogStream, static r => r.ToBrokerData())
            : BenchConn.Writer(pub);
        var orig = IPAddress.Parse("192.168.1.100");
        var resp = IPAddress.Parse("93.184.216.34");
        var start = DateTimeOffset.UnixEpoch.AddSeconds(1_700_000_000);
        var cpuStart = TimeSpan.Zero;
        var sw = new Stopwatch();
        for (long i = 0; i < warmup + count; i++)
        {
            if (i == warmup)
            {
                cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
                sw.Start();
            }

            writer.Write(new BenchConn(start.AddTicks(i * 10), "CHhAvVGS1DHFjwGM9", orig, new BrokerPort((ushort)(49152 + (i & 0x3fff)), PortProtocol.Tcp),
                resp, new BrokerPort(443, PortProtocol.Tcp), (i & 3) == 0 ? null : TimeSpan.FromTicks(i & 0xffff), (ulong)i, (i & 7) == 0 ? null : "ssl", "SF"));

            if ((i & 4095) == 0)
            {
                acked = await TwoProcess.ThrottleAsync(pub, acks, i, window, acked);
            }
        }

        double pubSeconds = sw.Elapsed.TotalSeconds;
        string result = await child.StandardOutput.ReadLineAsync() ?? "(child died)";
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
        await child.WaitForExitAsync();
        double cpuPerRecord = cpu.TotalMicroseconds / count;
        Console.WriteLine($"publisher: {count / pubSeconds:N0} records/s offered (wall clock); CPU {cpuPerRecord:0.000} us/record = {1e6 / cpuPerRecord:N0} records per CPU-second; drops {pub.GetStatistics().PeerQueueDrops}");
        Console.WriteLine($"subscriber: {result}");
        return 0;
    }

    public static async Task<int> RunChildAsync(string[] args)
    {
        int port = int.Parse(args[0]);
        int count = int.Parse(args[1]);
        string recv = args[2];
        int warmup = int.Parse(args[3]);
        await using var sub = new BrokerEndpoint(new BrokerEndpointOptions { SubscriberQueueSize = 65536 });
        await using var logs = recv == "tree"
            ? new LogSubscription<BenchConn>(sub, BenchConn.BrokerLogStream, static d => BenchConn.FromBrokerData(d))
            : BenchConn.Subscribe(sub);
        await sub.PeerAsync("127.0.0.1", port);
        var sw = new Stopwatch();
        var cpuStart = TimeSpan.Zero;
        long received = 0, lastAck = 0, outOfOrder = 0;
        ulong last = 0;
        await foreach (var record in logs)
        {
            // Every record is looked at (its sequence number read), as a real consumer would.
            ulong seq = record.OrigBytes ?? 0;
            if (seq < last)
            {
                outOfOrder++;
            }

            last = seq;
            if (received++ == warmup)
            {
                sw.Start();
                cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            }

            if (received - lastAck >= AckEvery)
            {
                lastAck = received;
                sub.Publish("/bench/ack", (ulong)received);
            }

            if (received >= count)
            {
                break;
            }
        }

        double cpuPerRecord = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMicroseconds / (count - warmup - 1);
        Console.WriteLine($"CPU {cpuPerRecord:0.000} us/record = {1e6 / cpuPerRecord:N0} records per CPU-second; {(received - warmup - 1) / sw.Elapsed.TotalSeconds:N0} records/s received (wall clock) ({received:N0} of {count:N0}, {sw.Elapsed.TotalSeconds:0.00} s); errors {logs.ErrorCount}; out of order {outOfOrder}");
        return 0;
    }
}
