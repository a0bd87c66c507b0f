using System.Diagnostics;
using System.Net.Sockets;
using Broker.Data;

namespace Broker.Sdk.Tests.Peering;

/// <summary>Deadline-based waiting for the peering tests (no fixed sleeps: every wait is for a condition).</summary>
internal static class PeeringTestKit
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after the deadline.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Deadline;
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > limit)
            {
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting until {what}.");
            }

            await Task.Delay(2);
        }
    }

    public static async Task<BrokerMessage> ReceiveAsync(this BrokerSubscription sub, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Deadline);
        try
        {
            return await sub.ReceiveAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"No message on '{sub.Prefix}' within {(timeout ?? Deadline).TotalSeconds:0.#} s.");
        }
    }

    /// <summary>Waits for the first event matching <paramref name="match"/>, skipping others.</summary>
    public static async Task<T> NextAsync<T>(this EventSubscription events, Func<T, bool>? match = null, TimeSpan? timeout = null)
        where T : EndpointEvent
    {
        using var cts = new CancellationTokenSource(timeout ?? Deadline);
        var seen = new List<EndpointEvent>();
        try
        {
            while (true)
            {
                var e = await events.ReceiveAsync(cts.Token);
                seen.Add(e);
                if (e is T t && (match is null || match(t)))
                {
                    return t;
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"No {typeof(T).Name} matching within {(timeout ?? Deadline).TotalSeconds:0.#} s; saw: {string.Join("; ", seen)}");
        }
    }

    public static Task<StatusEvent> StatusAsync(this EventSubscription events, StatusCode code, TimeSpan? timeout = null) =>
        events.NextAsync<StatusEvent>(e => e.Code == code, timeout);

    /// <summary>Peers <paramref name="dialer"/> with <paramref name="listener"/> and waits until both see each other.</summary>
    public static async Task<int> ConnectAsync(BrokerEndpoint listener, BrokerEndpoint dialer)
    {
        var local = await listener.ListenAsync();
        await dialer.PeerAsync("127.0.0.1", local.Port);
        await WaitUntilAsync(() => listener.Peers.Any(p => p.Id == dialer.Id), "the listener sees the dialer");
        return local.Port;
    }

    public static async Task ConnectToAsync(BrokerEndpoint listener, int port, BrokerEndpoint dialer)
    {
        await dialer.PeerAsync("127.0.0.1", port);
        await WaitUntilAsync(() => listener.Peers.Any(p => p.Id == dialer.Id), "the listener sees the dialer");
    }

    /// <summary>Waits until <paramref name="publisher"/> knows that its peer <paramref name="subscriber"/> wants <paramref name="topic"/>.</summary>
    public static Task WaitForFilterAsync(BrokerEndpoint publisher, string topic) =>
        WaitUntilAsync(() => publisher.AnyPeerSubscribes(topic), $"a peer advertises a filter matching '{topic}'");

    /// <summary>A raw TCP client for speaking (or mis-speaking) the wire protocol by hand.</summary>
    public static async Task<TcpClient> RawConnectAsync(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        return client;
    }

    public static BrokerData Event2(long i) => Zeek.ZeekEvent.Encode("ping", [BrokerData.Count((ulong)i), BrokerData.String("payload")]);
}
