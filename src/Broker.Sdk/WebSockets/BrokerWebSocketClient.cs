using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Broker.Data;
using Broker.Errors;
using Broker.Serialization.Json;
using Broker.Topics;

namespace Broker.WebSockets;

/// <summary>
/// A client of a Broker/Zeek WebSocket server (JSON API v1): subscribes, publishes, receives. It implements
/// <see cref="IBrokerPublisher"/>, so generated event publishers work over it unchanged, and it is an async stream
/// of the messages matching its subscriptions.
/// </summary>
public sealed class BrokerWebSocketClient : IBrokerPublisher, IAsyncEnumerable<BrokerMessage>, IAsyncDisposable
{
    private readonly Uri _uri;
    private readonly string[] _subscriptions;
    private readonly BrokerWebSocketClientOptions _options;
    private readonly Channel<BrokerMessage> _received;
    private readonly Channel<WebSocketServerError> _errors;
    private readonly Channel<(string Topic, BrokerData Data)> _send;
    private readonly CancellationTokenSource _stop = new();
    private ClientWebSocket _socket;
    private Task? _run;
    private long _dropped;
    private long _reconnects;
    private volatile bool _closing;
    private readonly TaskCompletionSource _sendDrained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BrokerWebSocketClient(Uri uri, string[] subscriptions, BrokerWebSocketClientOptions options, ClientWebSocket socket, string endpoint, string version)
    {
        _uri = uri;
        _subscriptions = subscriptions;
        _options = options;
        _socket = socket;
        RemoteEndpoint = endpoint;
        RemoteVersion = version;
        RemoteId = ParseId(endpoint);
        _received = Channel.CreateBounded<BrokerMessage>(
            new BoundedChannelOptions(Math.Max(1, options.ReceiveQueueSize))
            {
                SingleWriter = true,
                FullMode = options.ReceiveOverflowPolicy switch
                {
                    OverflowPolicy.DropNewest => BoundedChannelFullMode.DropWrite,
                    OverflowPolicy.Disconnect => BoundedChannelFullMode.Wait,
                    _ => BoundedChannelFullMode.DropOldest,
                },
            },
            _ => Interlocked.Increment(ref _dropped));
        _errors = Channel.CreateBounded<WebSocketServerError>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        _send = Channel.CreateBounded<(string, BrokerData)>(
            new BoundedChannelOptions(Math.Max(1, options.SendQueueSize)) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest },
            _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>The endpoint id text from the server's ACK (Broker: a UUID; Zeek 8: <c>&lt;uuid&gt;-websocket-&lt;n&gt;</c>).</summary>
    public string RemoteEndpoint { get; private set; }

    /// <summary>The version text from the server's ACK.</summary>
    public string RemoteVersion { get; private set; }

    /// <summary>The server's endpoint id (the UUID part of <see cref="RemoteEndpoint"/>), used as the sender of received messages.</summary>
    public EndpointId RemoteId { get; private set; }

    /// <summary>The subscribed prefixes.</summary>
    public IReadOnlyList<string> Subscriptions => _subscriptions;

    /// <summary>True while a connection is established.</summary>
    public bool IsConnected => Volatile.Read(ref _socket).State == WebSocketState.Open;

    /// <summary>Messages lost: received ones the application did not take in time, or published ones that did not fit the send queue.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Successful reconnections so far.</summary>
    public long ReconnectCount => Interlocked.Read(ref _reconnects);

    /// <summary>Connects, sends the subscriptions and waits for the server's ACK.</summary>
    /// <param name="uri">The server, e.g. <c>ws://127.0.0.1:27759/v1/messages/json</c>.</param>
    /// <param name="subscriptions">Topic prefixes to receive (empty for publish-only).</param>
    /// <param name="options">Options; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The connected client.</returns>
    /// <exception cref="BrokerException">No ACK in time (<see cref="BrokerErrorCode.PeerTimeout"/>), an error frame instead of the ACK,
    /// or the connection failed (<see cref="BrokerErrorCode.PeerUnavailable"/>).</exception>
    public static async Task<BrokerWebSocketClient> ConnectAsync(Uri uri, [TopicParameter(TopicUsage.SubscribePrefix)] IReadOnlyList<string> subscriptions, BrokerWebSocketClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(subscriptions);
        foreach (var prefix in subscriptions)
        {
            var problem = TopicRules.CheckSubscriptionPrefix(prefix);
            if (problem != TopicProblem.None)
            {
                throw new InvalidTopicException(prefix, problem, nameof(subscriptions));
            }
        }

        options ??= new BrokerWebSocketClientOptions();
        string[] prefixes = [.. subscriptions];
        var (socket, endpoint, version) = await OpenAsync(uri, prefixes, options, cancellationToken).ConfigureAwait(false);
        var client = new BrokerWebSocketClient(uri, prefixes, options, socket, endpoint, version);
        client._run = client.RunAsync();
        return client;
    }

    private static async Task<(ClientWebSocket Socket, string Endpoint, string Version)> OpenAsync(Uri uri, string[] subscriptions, BrokerWebSocketClientOptions options, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            options.ConfigureWebSocket?.Invoke(socket.Options);
            if (options.ApplicationName is { } name)
            {
                socket.Options.SetRequestHeader("X-Application-Name", name);
            }

            try
            {
                await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
            }
            catch (WebSocketException e)
            {
                throw new BrokerException(BrokerErrorCode.PeerUnavailable, $"Cannot connect to {uri}: {e.Message}", e);
            }

            var buffer = new ArrayBufferWriter<byte>();
            BrokerJson.WriteSubscriptions(buffer, subscriptions);
            await socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.AckTimeout);
            byte[]? frame;
            try
            {
                frame = await ReceiveMessageAsync(socket, options.MaxMessageBytes, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new BrokerException(BrokerErrorCode.PeerTimeout,
                    $"{uri} sent no ACK within {options.AckTimeout.TotalSeconds:0.###} s (the server ignores a handshake it rejects).");
            }

            if (frame is null)
            {
                throw new BrokerException(BrokerErrorCode.PeerDisconnectDuringHandshake, $"{uri} closed the connection instead of sending an ACK.");
            }

            BrokerJsonFrame ack;
            try
            {
                ack = BrokerJson.ReadServerFrame(frame);
            }
            catch (BrokerDecodeException e)
            {
                throw new BrokerException(BrokerErrorCode.UnexpectedHandshakeMessage, $"{uri} answered the handshake with an unreadable frame: {e.Message}", e);
            }

            if (ack.Kind == BrokerJsonFrameKind.Error)
            {
                throw new BrokerException(BrokerErrorCode.UnexpectedHandshakeMessage, $"{uri} rejected the handshake: {ack.First}: {ack.Second}");
            }

            if (ack.Kind != BrokerJsonFrameKind.Ack)
            {
                throw new BrokerException(BrokerErrorCode.UnexpectedHandshakeMessage, $"{uri} sent a {ack.Kind} frame instead of the ACK.");
            }

            return (socket, ack.First ?? string.Empty, ack.Second ?? string.Empty);
        }
        catch
        {
            socket.Abort();
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads one whole message; null when the server closed.</summary>
    private static async Task<byte[]?> ReceiveMessageAsync(WebSocket socket, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var result = await socket.ReceiveAsync(memory, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            buffer.Advance(result.Count);
            if (buffer.WrittenCount > maxBytes)
            {
                throw new BrokerException(BrokerErrorCode.InvalidMessage, $"The server sent a message larger than {maxBytes} bytes.");
            }

            if (result.EndOfMessage)
            {
                return buffer.WrittenSpan.ToArray();
            }
        }
    }

    private static EndpointId ParseId(string endpoint) =>
        endpoint.Length >= 36 && Guid.TryParse(endpoint.AsSpan(0, 36), out var guid) ? EndpointId.FromGuid(guid) : EndpointId.Nil;

    /// <summary>Queues a message for the server. Never blocks; while disconnected messages wait in the send queue.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="data">The value.</param>
    public void Publish([TopicParameter(TopicUsage.Publish)] string topic, in BrokerData data)
    {
        var problem = TopicRules.CheckPublishTopic(topic);
        if (problem != TopicProblem.None)
        {
            throw new InvalidTopicException(topic, problem, nameof(topic));
        }

        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        _send.Writer.TryWrite((topic, data));
    }

    /// <summary>Waits for the next message matching the subscriptions.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The message.</returns>
    /// <exception cref="BrokerException">The connection was lost and no reconnect is configured.</exception>
    public async ValueTask<BrokerMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _received.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e) when (e.InnerException is BrokerException inner)
        {
            throw new BrokerException(inner.Code, inner.Message, inner);
        }
    }

    /// <summary>Takes a received message without waiting.</summary>
    /// <param name="message">The message.</param>
    /// <returns>True when one was queued.</returns>
    public bool TryReceive(out BrokerMessage message) => _received.Reader.TryRead(out message);

    /// <summary>
    /// Waits for the next error frame from the server (e.g. about a malformed message this client sent), or, with
    /// <see cref="BrokerWebSocketClientOptions.ReconnectInterval"/>, the report of a lost connection that is being
    /// re-established (code <c>peer_unavailable</c> or the failure's code, context starting with "lost the connection").
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The error.</returns>
    public ValueTask<WebSocketServerError> ReceiveErrorAsync(CancellationToken cancellationToken = default) =>
        _errors.Reader.ReadAsync(cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerator<BrokerMessage> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        while (await _received.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_received.Reader.TryRead(out var message))
            {
                yield return message;
            }
        }
    }

    /// <summary>Sends a raw text frame (tests and diagnostics: lets a caller send what the codec would never produce).</summary>
    internal ValueTask SendRawAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        Volatile.Read(ref _socket).SendAsync(frame, WebSocketMessageType.Text, true, cancellationToken);

    private async Task RunAsync()
    {
        var token = _stop.Token;
        Exception? failure = null;
        while (!token.IsCancellationRequested)
        {
            var socket = Volatile.Read(ref _socket);
            using var connection = CancellationTokenSource.CreateLinkedTokenSource(token);
            var writer = WriteLoopAsync(socket, connection.Token);
            try
            {
                await ReadLoopAsync(socket, connection.Token).ConfigureAwait(false);
                failure = new BrokerException(BrokerErrorCode.PeerUnavailable, $"{_uri} closed the connection.");
            }
            catch (Exception e)
            {
                // Whatever ends a connection becomes the stream's failure (or a reconnect); it never faults the loop.
                failure = e as BrokerException ?? new BrokerException(BrokerErrorCode.PeerUnavailable, $"Lost the connection to {_uri}: {e.Message}", e);
            }

            await connection.CancelAsync().ConfigureAwait(false);
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The writer only fails because the connection did; the reader has the reason.
            }

            socket.Abort();
            socket.Dispose();
            if (token.IsCancellationRequested || _closing || _options.ReconnectInterval is not { } interval)
            {
                break;
            }

            // Reconnecting hides the loss from the message stream: report it where server errors go.
            var lost = failure as BrokerException;
            _errors.Writer.TryWrite(new WebSocketServerError((lost?.Code ?? BrokerErrorCode.PeerUnavailable).Name(),
                $"lost the connection: {failure?.Message}; reconnecting every {interval.TotalMilliseconds:0} ms"));

            // Reconnect with retry until it works or the client is disposed.
            while (!token.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(interval, token).ConfigureAwait(false);
                    var (next, endpoint, version) = await OpenAsync(_uri, _subscriptions, _options, token).ConfigureAwait(false);
                    RemoteEndpoint = endpoint;
                    RemoteVersion = version;
                    RemoteId = ParseId(endpoint);
                    Volatile.Write(ref _socket, next);
                    Interlocked.Increment(ref _reconnects);
                    failure = null;
                    break;
                }
                catch (Exception e)
                {
                    failure = e; // retried at the interval until it works or the client is disposed
                }
            }
        }

        _received.Writer.TryComplete(token.IsCancellationRequested || _closing ? null : failure);
        _errors.Writer.TryComplete();
    }

    private async Task ReadLoopAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        while (true)
        {
            var frame = await ReceiveMessageAsync(socket, _options.MaxMessageBytes, cancellationToken).ConfigureAwait(false);
            if (frame is null)
            {
                return;
            }

            BrokerJsonFrame parsed;
            try
            {
                parsed = BrokerJson.ReadServerFrame(frame);
            }
            catch (BrokerDecodeException e)
            {
                // A frame we cannot read is reported, not fatal: the next one may be fine.
                _errors.Writer.TryWrite(new WebSocketServerError(BrokerErrorCode.DeserializationFailed.Name(), $"unreadable frame from the server: {e.Message}"));
                continue;
            }

            switch (parsed.Kind)
            {
                case BrokerJsonFrameKind.DataMessage:
                    if (!_received.Writer.TryWrite(new BrokerMessage(parsed.Topic!, parsed.Data, RemoteId)) && _options.ReceiveOverflowPolicy != OverflowPolicy.DropOldest)
                    {
                        Interlocked.Increment(ref _dropped);
                        if (_options.ReceiveOverflowPolicy == OverflowPolicy.Disconnect)
                        {
                            throw new BrokerException(BrokerErrorCode.PeerUnavailable, "The receive queue overflowed (overflow policy: disconnect).");
                        }
                    }

                    break;
                case BrokerJsonFrameKind.Error:
                    _errors.Writer.TryWrite(new WebSocketServerError(parsed.First ?? "unspecified", parsed.Second ?? string.Empty));
                    break;
            }
        }
    }

    private async Task WriteLoopAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        var reader = _send.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryPeek(out var item))
            {
                buffer.ResetWrittenCount();
                BrokerJson.WriteDataMessage(buffer, item.Topic, item.Data, _options.Json);
                await socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
                reader.TryRead(out _); // only after the send: a message is not lost to a reconnect while it was being written
            }
        }

        _sendDrained.TrySetResult();
    }

    /// <summary>Closes the connection (gracefully when possible) and ends the message stream.</summary>
    /// <returns>A task that completes when the client is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _closing = true;
        _send.Writer.TryComplete();
        var socket = Volatile.Read(ref _socket);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            // Queued messages leave first: the writer loop ends once the completed queue is empty.
            if (socket.State == WebSocketState.Open)
            {
                await _sendDrained.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
                if (_run is not null)
                {
                    await _run.WaitAsync(timeout.Token).ConfigureAwait(false); // the server answers the close
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException or TimeoutException)
        {
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_run is not null)
        {
            await _run.ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
