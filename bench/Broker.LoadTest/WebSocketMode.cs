using System.Diagnostics;
using Broker;
using Broker.Data;
using Broker.WebSockets;
using Broker.Zeek;

/// <summary>
/// <c>dotnet run -c Release --project bench/Broker.LoadTest -- ws [events]</c>: Zeek events from a WebSocket client
/// through our server to a native (TCP-peered) subscriber, and back. Windowed so nothing is dropped: the sender
/// stays at most <see cref="Window"/> events ahead of the receiver.
/// </summary>
internal static class WebSocketMode
{
    private const int Window = 1000;

    public static async Task RunAsync(string[] args)
    {
        int events = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 200_000;
        var endpointOptions = new BrokerEndpointOptions { SubscriberQueueSize = 4 * Window, PeerBufferSize = 4 * Window };
        await using var host = new BrokerEndpoint(endpointOptions with { Name = "host" });
        await using var native = new BrokerEndpoint(endpointOptions with { Name = "native" });
        var peerPort = await host.ListenAsync("127.0.0.1", 0);
        var wsBound = await host.ListenWebSocketAsync("127.0.0.1", 0, new WebSocketServerOptions { ClientQueueSize = 4 * Window });
        await using var nativeSub = native.Subscribe("/bench/in/");
        await native.PeerAsync("127.0.0.1", peerPort.Port);

        var uri = new Uri($"ws://127.0.0.1:{wsBound.Port}/v1/messages/json");
        var clientOptions = new BrokerWebSocketClientOptions { ReceiveQueueSize = 4 * Window, SendQueueSize = 4 * Window };
        await using var client = await BrokerWebSocketClient.ConnectAsync(uri, ["/bench/out/"], clientOptions);
        // Wait until subscriptions have propagated both ways (probe messages until one arrives).
        await ProbeAsync(() => client.Publish("/bench/in/probe", 0UL), ct => nativeSub.ReceiveAsync(ct));
        await ProbeAsync(() => native.Publish("/bench/out/probe", 0UL), ct => client.ReceiveAsync(ct));

        var payload = new ZeekEvent("ping", BrokerData.Count(0), BrokerData.String("websocket load test")).ToData();
        Console.WriteLine($"ws mode: {events:N0} Zeek events each way, window {Window}, {Environment.ProcessorCount} cores");

        // WebSocket client -> our server -> native peer. Credits: the sender waits for the receiver instead of spinning.
        using var credits = new SemaphoreSlim(Window);
        long received = 0;
        var consumer = Task.Run(async () =>
        {
            await foreach (var m in nativeSub)
            {
                if (m.Topic != "/bench/in/ping") continue;
                credits.Release();
                if (Interlocked.Increment(ref received) == events) return;
            }
        });
        var clock = Stopwatch.StartNew();
        for (int sent = 0; sent < events; sent++)
        {
            await credits.WaitAsync();
            client.Publish("/bench/in/ping", payload);
        }

        await consumer.WaitAsync(TimeSpan.FromMinutes(2));
        Report("WebSocket client -> server -> native subscriber", events, clock.Elapsed);

        // Native peer -> our server -> WebSocket client.
        received = 0;
        consumer = Task.Run(async () =>
        {
            await foreach (var m in client)
            {
                if (m.Topic != "/bench/out/ping") continue;
                credits.Release();
                if (Interlocked.Increment(ref received) == events) return;
            }
        });
        clock.Restart();
        for (int sent = 0; sent < events; sent++)
        {
            await credits.WaitAsync();
            native.Publish("/bench/out/ping", payload);
        }

        await consumer.WaitAsync(TimeSpan.FromMinutes(2));
        Report("native peer -> server -> WebSocket client", events, clock.Elapsed);
        Console.WriteLine($"dropped: client {client.DroppedCount}, subscriber {nativeSub.DroppedCount}");
    }

    private static async Task ProbeAsync(Action send, Func<CancellationToken, ValueTask<BrokerMessage>> receive)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            send();
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            try
            {
                await receive(wait.Token);
                return;
            }
            catch (OperationCanceledException)
            {
            }
        }

        throw new TimeoutException("subscriptions did not propagate within 10 s");
    }

    private static void Report(string what, int events, TimeSpan elapsed) =>
        Console.WriteLine($"{what}: {events / elapsed.TotalSeconds:N0} events/s ({elapsed.TotalMilliseconds:N0} ms)");
}
