using System.Net;
using System.Net.Sockets;

namespace Broker.Sdk.Tests.TestSupport;

/// <summary>What the <see cref="FaultProxy"/> does to the next chunk it forwards once armed.</summary>
public enum Fault
{
    /// <summary>Forward unchanged.</summary>
    None,

    /// <summary>Forward half of the chunk, then close both sides gracefully (FIN): the peer sees a frame cut short.</summary>
    Truncate,

    /// <summary>Forward the chunk twice: the receiver sees repeated bytes that break its framing.</summary>
    Duplicate,

    /// <summary>Silently discard the chunk and keep forwarding: the receiver's framing desynchronises.</summary>
    Drop,

    /// <summary>Forward half of the chunk, then reset both sides (RST, linger 0).</summary>
    Reset,
}

/// <summary>
/// A loopback TCP proxy for fault injection: it can delay every chunk, split every write into 1-byte writes, and, once
/// armed, truncate, duplicate, drop or reset in the middle of the next chunk (mid-frame, since chunks carry frames).
/// Every connection is real TCP on 127.0.0.1 both ways; nothing of our runtime is replaced.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private volatile IPEndPoint _target;
    private readonly CancellationTokenSource _cts = new();
    private readonly List<Task> _tasks = new();
    private readonly List<Socket> _sockets = new();
    private readonly object _lock = new();
    private int _armed; // a Fault, applied once to the next chunk in the armed direction
    private int _connections;

    public FaultProxy(int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Loopback, targetPort);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        lock (_lock)
        {
            _tasks.Add(AcceptLoopAsync());
        }
    }

    /// <summary>The port clients connect to.</summary>
    public int Port { get; }

    /// <summary>The port new connections are forwarded to (a restarted target may have moved).</summary>
    public int TargetPort
    {
        get => _target.Port;
        set => _target = new IPEndPoint(IPAddress.Loopback, value);
    }

    /// <summary>Delay applied before forwarding each chunk.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Forward each chunk one byte per write (one TCP segment per byte with Nagle off).</summary>
    public bool OneByteWrites { get; set; }

    /// <summary>Apply faults to client-to-server traffic (true) or server-to-client traffic (false).</summary>
    public bool FaultUpstream { get; set; } = true;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Total bytes forwarded (both ways).</summary>
    public long BytesForwarded => Interlocked.Read(ref _bytes);

    private long _bytes;

    /// <summary>True while an armed fault has not been applied yet.</summary>
    public bool IsArmed => Volatile.Read(ref _armed) != (int)Fault.None;

    /// <summary>Applies <paramref name="fault"/> to the next chunk travelling in the faulted direction.</summary>
    public void Arm(Fault fault) => Volatile.Write(ref _armed, (int)fault);

    private async Task AcceptLoopAsync()
    {
        while (!_cts.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_cts.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            try
            {
                await server.ConnectAsync(_target, _cts.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }

            Interlocked.Increment(ref _connections);
            lock (_lock)
            {
                _sockets.Add(client);
                _sockets.Add(server);
                _tasks.Add(PumpAsync(client, server, upstream: true));
                _tasks.Add(PumpAsync(server, client, upstream: false));
            }
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool upstream)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer, SocketFlags.None, _cts.Token);
                if (n == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (Delay > TimeSpan.Zero)
                {
                    // The proxy's own pacing, not a test wait: it models a slow network.
                    await Task.Delay(Delay, _cts.Token);
                }

                var fault = upstream == FaultUpstream ? (Fault)Interlocked.Exchange(ref _armed, (int)Fault.None) : Fault.None;
                switch (fault)
                {
                    case Fault.None:
                        await ForwardAsync(to, buffer.AsMemory(0, n));
                        break;
                    case Fault.Duplicate:
                        await ForwardAsync(to, buffer.AsMemory(0, n));
                        await ForwardAsync(to, buffer.AsMemory(0, n));
                        break;
                    case Fault.Drop:
                        break;
                    case Fault.Truncate:
                        await ForwardAsync(to, buffer.AsMemory(0, Math.Max(1, n / 2)));
                        from.Shutdown(SocketShutdown.Both);
                        to.Shutdown(SocketShutdown.Both);
                        return;
                    case Fault.Reset:
                        await ForwardAsync(to, buffer.AsMemory(0, Math.Max(1, n / 2)));
                        Reset(from);
                        Reset(to);
                        return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            Reset(from);
            Reset(to);
        }
    }

    private async ValueTask ForwardAsync(Socket to, ReadOnlyMemory<byte> data)
    {
        Interlocked.Add(ref _bytes, data.Length);
        if (OneByteWrites)
        {
            for (int i = 0; i < data.Length; i++)
            {
                await to.SendAsync(data.Slice(i, 1), SocketFlags.None, _cts.Token);
            }
        }
        else
        {
            while (!data.IsEmpty)
            {
                int sent = await to.SendAsync(data, SocketFlags.None, _cts.Token);
                data = data[sent..];
            }
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
        }
    }

    /// <summary>Resets every proxied connection at once (both sides see RST).</summary>
    public void ResetAll()
    {
        lock (_lock)
        {
            foreach (var s in _sockets)
            {
                Reset(s);
            }

            _sockets.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        _listener.Stop();
        ResetAll();
        Task[] tasks;
        lock (_lock)
        {
            tasks = _tasks.ToArray();
        }

        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(5));
        _cts.Dispose();
    }
}
