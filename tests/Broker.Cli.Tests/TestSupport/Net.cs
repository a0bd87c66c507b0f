using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Broker.Cli.Tests.TestSupport;

/// <summary>Loopback helpers: free ports, a silent listener, waits with deadlines.</summary>
internal static class Net
{
    /// <summary>A port nothing listens on (bound to port 0, then released).</summary>
    /// <returns>The port.</returns>
    public static int ClosedPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>A listener that accepts TCP connections and never answers (a peer that hangs in the handshake).</summary>
    /// <returns>The started listener; stop it when done.</returns>
    public static TcpListener SilentListener()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return l;
    }

    /// <summary>The listener's port.</summary>
    /// <param name="listener">The listener.</param>
    /// <returns>The port.</returns>
    public static int Port(this TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Awaits a condition with a deadline; fails with a clear message instead of sleeping for a fixed time.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="what">What is awaited.</param>
    /// <param name="timeoutMs">The deadline.</param>
    /// <returns>A task.</returns>
    public static async Task UntilAsync(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.ElapsedMilliseconds > timeoutMs)
            {
                throw new TimeoutException($"Timed out after {timeoutMs} ms waiting for: {what}");
            }

            await Task.Delay(5);
        }
    }
}
