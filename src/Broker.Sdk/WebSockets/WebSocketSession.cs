using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using Broker.Data;
using Broker.Errors;
using Broker.Serialization.Json;

namespace Broker.WebSockets;

/// <summary>
/// One connected JSON client after its handshake: a reader loop that parses and routes its data messages, and a
/// single writer loop that drains a bounded queue (the overflow policy decides what a slow client loses).
/// </summary>
internal sealed class WebSocketSession
{
    private readonly WebSocket _socket;
    private readonly WebSocketServerOptions _options;
    private readonly Channel<OutFrame> _outbound;
    private readonly Action<WebSocketSession, string, BrokerData> _onMessage;
    private readonly CancellationTokenSource _stop = new();
    private long _dropped;
    private long _received;

    // Set when a limit ends this client: the writer sends the queued error frame, then closes with this status.
    private WebSocketCloseStatus? _closeStatus;
    private string? _closeReason;

    private readonly record struct OutFrame(string? Topic, BrokerData Data, byte[]? Raw);

    public WebSocketSession(WebSocket socket, string[] subscriptions, WebSocketServerOptions options, Action<WebSocketSession, string, BrokerData> onMessage)
    {
        _socket = socket;
        Subscriptions = subscriptions;
        _options = options;
        _onMessage = onMessage;
        var channelOptions = new BoundedChannelOptions(Math.Max(1, options.ClientQueueSize))
        {
            SingleReader = true,
            FullMode = options.OverflowPolicy switch
            {
                OverflowPolicy.DropOldest => BoundedChannelFullMode.DropOldest,
                OverflowPolicy.DropNewest => BoundedChannelFullMode.DropWrite,
                _ => BoundedChannelFullMode.Wait, // TryWrite fails when full: we disconnect
            },
        };
        _outbound = Channel.CreateBounded<OutFrame>(channelOptions, _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>This client's id as a lightweight peer.</summary>
    public EndpointId Id { get; } = EndpointId.NewId();

    /// <summary>The topic prefixes from the handshake.</summary>
    public string[] Subscriptions { get; }

    /// <summary>Messages lost to the overflow policy.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Messages waiting in this client's queue (never more than <see cref="WebSocketServerOptions.ClientQueueSize"/>).</summary>
    public int QueueDepth => _outbound.Reader.Count;

    /// <summary>Frames received after the handshake (the N in <c>input #N</c>).</summary>
    public long ReceivedCount => Interlocked.Read(ref _received);

    public void EnqueueData(string topic, in BrokerData data) => Enqueue(new OutFrame(topic, data, null));

    private void Enqueue(OutFrame frame)
    {
        if (!_outbound.Writer.TryWrite(frame) && !_stop.IsCancellationRequested)
        {
            if (_options.OverflowPolicy == OverflowPolicy.Disconnect)
            {
                Interlocked.Increment(ref _dropped);
                Abort();
            }
            else if (_options.OverflowPolicy == OverflowPolicy.DropNewest)
            {
                Interlocked.Increment(ref _dropped);
            }
        }
    }

    public void Abort()
    {
        _outbound.Writer.TryComplete();
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Abort();
    }

    /// <summary>Runs the reader and writer until the client leaves, misbehaves or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var link = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var writer = WriteLoopAsync(link.Token);
        try
        {
            await ReadLoopAsync(link.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The client went away or was stopped; nothing to report to it.
        }
        finally
        {
            _outbound.Writer.TryComplete();
            link.CancelAfter(TimeSpan.FromSeconds(2)); // let the writer flush briefly, then give up
            try
            {
                await writer.ConfigureAwait(false);
                if (_closeStatus is not null)
                {
                    await DrainUntilClosedAsync(link.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
            {
            }

            _socket.Abort();
            _socket.Dispose();
            _stop.Dispose();
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(16 << 10);
        try
        {
            while (true)
            {
                int length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        if (buffer.Length >= _options.MaxMessageBytes)
                        {
                            TooBig();
                            return;
                        }

                        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _options.MaxMessageBytes));
                        buffer.AsSpan(0, length).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }

                    int room = Math.Min(buffer.Length, _options.MaxMessageBytes + 1) - length;
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length, Math.Max(1, room)), cancellationToken).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        Close(WebSocketCloseStatus.NormalClosure, null);
                        return;
                    }

                    if (result.MessageType == WebSocketMessageType.Binary)
                    {
                        // Broker drops a client that sends binary: the API is text only.
                        Close(WebSocketCloseStatus.InvalidMessageType, "binary frames are not supported");
                        return;
                    }

                    length += result.Count;
                    if (length > _options.MaxMessageBytes)
                    {
                        TooBig();
                        return;
                    }
                }
                while (!result.EndOfMessage);

                long n = Interlocked.Increment(ref _received);
                if (!Handle(buffer.AsSpan(0, length), n))
                {
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The message was too big: the client hears why (error frame), then the connection closes with 1009.</summary>
    private void TooBig()
    {
        long n = Interlocked.Increment(ref _received);
        CloseWithError(n, $"exceeds the limit of {_options.MaxMessageBytes} bytes (MaxMessageBytes)", WebSocketCloseStatus.MessageTooBig, "message too big");
    }

    /// <summary>Handles one data message; false when it broke a limit and the connection is closing.</summary>
    private bool Handle(ReadOnlySpan<byte> json, long n)
    {
        string? topic;
        BrokerData data;
        try
        {
            (topic, data) = BrokerJson.ReadDataMessage(json, _options.ReadLimits);
        }
        catch (BrokerDecodeException e) when (e.LimitExceeded)
        {
            CloseWithError(n, $"{e.Message} (ReadLimits.MaxDepth {_options.ReadLimits.MaxDepth})", WebSocketCloseStatus.PolicyViolation, "nesting deeper than the limit");
            return false;
        }
        catch (BrokerDecodeException e)
        {
            // The offending message is dropped and the connection stays open, as in Broker.
            SendError(n, e.Message);
            return true;
        }

        // UTF-8 needs at most 3 bytes per UTF-16 char: short topics skip the byte count.
        if (topic is not null && topic.Length > _options.MaxTopicLength / 3 && System.Text.Encoding.UTF8.GetByteCount(topic) > _options.MaxTopicLength)
        {
            CloseWithError(n, $"has a topic of {System.Text.Encoding.UTF8.GetByteCount(topic)} bytes, over the limit of {_options.MaxTopicLength} (MaxTopicLength)", WebSocketCloseStatus.PolicyViolation, "topic longer than the limit");
            return false;
        }

        if (topic is null || Topics.TopicRules.CheckPublishTopic(topic) != Topics.TopicProblem.None || Topics.TopicRules.IsInternal(topic))
        {
            return true; // Broker drops messages without a usable topic silently (golden errors_after_handshake #30-32)
        }

        try
        {
            _onMessage(this, topic, data);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Routing must never take the connection down; the client hears about it as Broker would phrase it.
            SendError(n, $"caused an internal error -> {e.Message}");
        }

        return true;
    }

    /// <summary>
    /// Ends this client for breaking a limit: the error frame is queued behind what it already has (nothing accepted
    /// for it is lost), and the writer closes with <paramref name="status"/> once the queue is drained.
    /// </summary>
    private void CloseWithError(long n, string what, WebSocketCloseStatus status, string reason)
    {
        SendError(n, what);
        Close(status, reason);
    }

    /// <summary>
    /// After our close frame, reads (and discards) until the client's close or EOF: closing a socket with unread
    /// input resets it, and the client would lose the error frame and the close status.
    /// </summary>
    private async Task DrainUntilClosedAsync(CancellationToken cancellationToken)
    {
        byte[] scratch = ArrayPool<byte>.Shared.Rent(16 << 10);
        try
        {
            while (_socket.State is WebSocketState.CloseSent or WebSocketState.Open)
            {
                var result = await _socket.ReceiveAsync(scratch.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private void SendError(long n, string what)
    {
        var frame = new ArrayBufferWriter<byte>(128);
        BrokerJson.WriteError(frame, BrokerErrorCode.DeserializationFailed.Name(), $"input #{n} {what}");
        Enqueue(new OutFrame(null, default, frame.WrittenSpan.ToArray()));
    }

    /// <summary>
    /// Ends this client: what is queued for it is still sent, then the writer sends the close frame with
    /// <paramref name="status"/>. The writer is the only sender, so the close frame never races another send (two
    /// concurrent close frames could reach the client with the wrong status); afterwards the session drains the
    /// client's input before it lets go of the socket (<see cref="DrainUntilClosedAsync"/>).
    /// </summary>
    private void Close(WebSocketCloseStatus status, string? reason)
    {
        _closeStatus = status;
        _closeReason = reason;
        _outbound.Writer.TryComplete();
    }

    /// <summary>Sends the handshake ACK directly (before the writer loop starts).</summary>
    public ValueTask SendRawAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        var reader = _outbound.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out var frame))
            {
                ReadOnlyMemory<byte> bytes;
                if (frame.Raw is not null)
                {
                    bytes = frame.Raw;
                }
                else
                {
                    buffer.ResetWrittenCount();
                    BrokerJson.WriteDataMessage(buffer, frame.Topic!, frame.Data, _options.Json);
                    bytes = buffer.WrittenMemory;
                }

                await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            }
        }

        if (_socket.State == WebSocketState.Open || _socket.State == WebSocketState.CloseReceived)
        {
            await _socket.CloseOutputAsync(_closeStatus ?? WebSocketCloseStatus.NormalClosure, _closeReason, cancellationToken).ConfigureAwait(false);
        }
    }
}
