using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using Broker.Data;
using Broker.Errors;
using Broker.Serialization.Json;

namespace Broker.WebSockets;

/// <summary>
/// A minimal WebSocket server for the JSON API v1: a <see cref="TcpListener"/>, optional TLS (<see cref="SslStream"/>),
/// a hand-rolled HTTP upgrade and <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/> for the
/// framing (see docs/websocket.md for why not ASP.NET Core).
/// </summary>
internal sealed class WebSocketServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly WebSocketServerOptions _options;
    private readonly WebSocketHub _hub;
    private readonly EndpointId _hostId;
    private readonly Action<EndpointId, string, BrokerData> _toEndpoint;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<Task> _connections = [];
    private readonly Lock _gate = new();
    private int _pending;
    private Task? _acceptLoop;

    public WebSocketServer(IPEndPoint bind, WebSocketServerOptions options, WebSocketHub hub, EndpointId hostId, Action<EndpointId, string, BrokerData> toEndpoint)
    {
        _listener = new TcpListener(bind);
        _options = options;
        _hub = hub;
        _hostId = hostId;
        _toEndpoint = toEndpoint;
    }

    public IPEndPoint LocalEndpoint => (IPEndPoint)_listener.LocalEndpoint;

    public void Start()
    {
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue; // a failed accept (e.g. reset before accept) must not stop the listener
            }

            socket.NoDelay = true;
            var task = ServeAsync(socket);
            lock (_gate)
            {
                if (!task.IsCompleted)
                {
                    _connections.Add(task);
                }
            }

            _ = task.ContinueWith(t =>
            {
                lock (_gate)
                {
                    _connections.Remove(t);
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        await Task.Yield();
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        WebSocketSession? session = null;
        bool counted = Interlocked.Increment(ref _pending) + _hub.Count <= _options.MaxClients;
        try
        {
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                handshake.CancelAfter(_options.HandshakeTimeout);
                session = await HandshakeAsync(stream, counted, handshake.Token).ConfigureAwait(false);
            }

            Interlocked.Decrement(ref _pending);
            counted = false;
            if (session is null)
            {
                return;
            }

            // Registered before the ACK goes out, so a client that publishes as soon as it sees the ACK of another
            // client's handshake reaches it. Messages queued meanwhile follow the ACK (the writer starts after it).
            _hub.Add(session);
            try
            {
                var ack = new ArrayBufferWriter<byte>(96);
                BrokerJson.WriteAck(ack, _hostId.ToString(), _options.Version);
                using (var ackTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
                {
                    ackTimeout.CancelAfter(_options.HandshakeTimeout);
                    await session.SendRawAsync(ack.WrittenMemory, ackTimeout.Token).ConfigureAwait(false);
                }

                await session.RunAsync(_stop.Token).ConfigureAwait(false);
            }
            finally
            {
                _hub.Remove(session);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Handshake timeout, TLS failure or a client that vanished: this connection ends, the server keeps serving.
        }
        finally
        {
            if (counted)
            {
                Interlocked.Decrement(ref _pending);
            }

            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<WebSocketSession?> HandshakeAsync(Stream stream, bool admitted, CancellationToken cancellationToken)
    {
        Stream transport = stream;
        if (_options.Certificate is { } certificate)
        {
            var ssl = new SslStream(stream, leaveInnerStreamOpen: true);
            await ssl.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions { ServerCertificate = certificate, ClientCertificateRequired = false },
                cancellationToken).ConfigureAwait(false);
            transport = ssl;
        }

        var (outcome, key, reason) = await HttpUpgrade.ReadRequestAsync(transport, _options.MaxRequestHeaderBytes, cancellationToken).ConfigureAwait(false);
        if (outcome != HttpUpgrade.Outcome.Upgrade)
        {
            var response = outcome == HttpUpgrade.Outcome.TooLarge
                ? HttpUpgrade.Error(431, "Request Header Fields Too Large", reason!)
                : HttpUpgrade.Error(400, "Bad Request", reason!);
            await transport.WriteAsync(response, cancellationToken).ConfigureAwait(false);
            await transport.FlushAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (!admitted)
        {
            await transport.WriteAsync(HttpUpgrade.Error(503, "Service Unavailable", "too many WebSocket clients"), cancellationToken).ConfigureAwait(false);
            return null;
        }

        await transport.WriteAsync(HttpUpgrade.SwitchingProtocols(key!), cancellationToken).ConfigureAwait(false);
        await transport.FlushAsync(cancellationToken).ConfigureAwait(false);
        var socket = WebSocket.CreateFromStream(transport, new WebSocketCreationOptions
        {
            IsServer = true,
            KeepAliveInterval = _options.KeepAliveInterval,
        });

        // The first message must be the subscription array; anything else ends the connection without a reply,
        // as in Broker (clients therefore need an ACK timeout).
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(_options.MaxMessageBytes, 64 << 10));
        string[] subscriptions;
        try
        {
            int length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "subscription message too big", cancellationToken).ConfigureAwait(false);
                    socket.Dispose();
                    return null;
                }

                result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (result.MessageType != WebSocketMessageType.Text)
                {
                    socket.Abort();
                    socket.Dispose();
                    return null;
                }

                length += result.Count;
            }
            while (!result.EndOfMessage);

            subscriptions = BrokerJson.ReadSubscriptions(buffer.AsSpan(0, length), _options.ReadLimits);
            string? overLimit = subscriptions.Length > _options.MaxSubscriptionsPerClient
                ? $"{subscriptions.Length} subscriptions exceed the limit of {_options.MaxSubscriptionsPerClient} (MaxSubscriptionsPerClient)"
                : Array.Find(subscriptions, s => System.Text.Encoding.UTF8.GetByteCount(s) > _options.MaxTopicLength) is { } longPrefix
                    ? $"a subscription prefix of {System.Text.Encoding.UTF8.GetByteCount(longPrefix)} bytes exceeds the limit of {_options.MaxTopicLength} (MaxTopicLength)"
                    : null;
            if (overLimit is not null)
            {
                // Over a limit (unlike malformed input, which Broker answers with silence): say which, then close.
                var error = new ArrayBufferWriter<byte>(160);
                BrokerJson.WriteError(error, BrokerErrorCode.InvalidMessage.Name(), overLimit);
                await socket.SendAsync(error.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                throw new BrokerDecodeException(overLimit);
            }
        }
        catch (BrokerDecodeException e)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, Truncate(e.Message), cancellationToken).ConfigureAwait(false);
            socket.Dispose();
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new WebSocketSession(socket, subscriptions, _options, OnClientMessage);
    }

    private static string Truncate(string text) => text.Length <= 120 ? text : text[..120];

    private void OnClientMessage(WebSocketSession session, string topic, BrokerData data)
    {
        // A client is a lightweight peer: its message reaches the other clients, the endpoint's local
        // subscribers and matching native peers, but never comes back to itself.
        _hub.Deliver(topic, data, session.Id);
        _toEndpoint(session.Id, topic, data);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        _listener.Stop();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        Task[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
        _stop.Dispose();
    }
}
