using System.Diagnostics;
using Broker;

namespace Broker.LoadTest;

/// <summary>
/// What the two-process modes (<see cref="PubSubMode"/>, <see cref="LogsMode"/>) share: starting this program as the
/// child, waiting for its peering, the publisher's flow control, and argument parsing.
/// </summary>
internal static class TwoProcess
{
    /// <summary>Starts this program again with <paramref name="args"/>; its standard output is redirected.</summary>
    public static Process StartChild(params string[] args)
    {
        string self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(TwoProcess).Assembly.Location);
        }

        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info)!;
    }

    /// <summary>Waits until the one peer is established and subscribes to <paramref name="topic"/>.</summary>
    public static async Task WaitForPeerAsync(BrokerEndpoint endpoint, string topic)
    {
        var sw = Stopwatch.StartNew();
        while (!(endpoint.Peers.Count == 1 && endpoint.GetStatistics().Peers.Count == 1 && endpoint.PeerSubscriptions.Any(f => topic.StartsWith(f, StringComparison.Ordinal))))
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("the child did not peer");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>
    /// The publisher's flow control, called every 4,096 messages: stay under the peer buffer instead of dropping
    /// (sleep, not spin: on 2 cores a spinning publisher takes the CPU its writer and the subscriber need), and keep at
    /// most <paramref name="window"/> messages unacknowledged by the child (0: no window).
    /// </summary>
    /// <returns>The child's latest acknowledged count.</returns>
    public static async ValueTask<long> ThrottleAsync(BrokerEndpoint pub, BrokerSubscription acks, long sent, int window, long acked)
    {
        while (pub.GetStatistics().Peers[0].QueueDepth > 32768)
        {
            await Task.Delay(1);
        }

        while (acks.TryReceive(out var ack))
        {
            acked = (long)ack.Data.AsCount();
        }

        while (window > 0 && sent - acked > window)
        {
            acked = (long)(await acks.ReceiveAsync()).Data.AsCount();
        }

        return acked;
    }

    public static int IntArg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
    }

    public static string StringArg(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
