using System.Diagnostics;

namespace Broker.Generators.IntegrationTests.TestSupport;

/// <summary>Two real endpoints peered over 127.0.0.1 and deadline-based waits (no fixed sleeps).</summary>
internal sealed class Loopback : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private Loopback(BrokerEndpoint publisher, BrokerEndpoint subscriber)
    {
        Publisher = publisher;
        Subscriber = subscriber;
    }

    /// <summary>The listening side; tests publish from here.</summary>
    public BrokerEndpoint Publisher { get; }

    /// <summary>The dialing side; tests subscribe here.</summary>
    public BrokerEndpoint Subscriber { get; }

    public static async Task<Loopback> StartAsync()
    {
        var publisher = new BrokerEndpoint(new BrokerEndpointOptions { Name = "itest-publisher" });
        var subscriber = new BrokerEndpoint(new BrokerEndpointOptions { Name = "itest-subscriber" });
        var local = await publisher.ListenAsync("127.0.0.1", 0);
        await subscriber.PeerAsync("127.0.0.1", local.Port);
        await WaitUntilAsync(() => publisher.Peers.Any(p => p.Id == subscriber.Id), "the publisher sees the subscriber");
        return new Loopback(publisher, subscriber);
    }

    /// <summary>Waits until the publisher knows the subscriber wants <paramref name="topic"/> (so a publish is not dropped).</summary>
    public Task WaitForSubscriptionAsync(string topic) =>
        WaitUntilAsync(() => Publisher.AnyPeerSubscribes(topic), $"the subscriber's filter covering '{topic}' reaches the publisher");

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

    public static async Task<T> WithDeadline<T>(Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(Deadline);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {Deadline.TotalSeconds:0.#} s waiting for {what}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Subscriber.DisposeAsync();
        await Publisher.DisposeAsync();
    }
}
