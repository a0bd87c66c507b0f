using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Broker.Data;
using Broker.Errors;
using Broker.Serialization;
using Broker.Tls;
using Broker.Wire;

namespace Broker.Peering;

/// <summary>
/// One TCP connection to a peer: the handshake, then a reader loop (frames are length-checked before anything is
/// buffered) and a single writer loop that drains the <see cref="PeerOutbox"/> into the pipe with one flush per batch.
/// The reader loop also emits the peer's status events, so they are ordered with the peer's data.
/// </summary>
internal sealed class PeerConnection
{
    private static readonly TimeSpan ByeTimeout = TimeSpan.FromSeconds(3);

    private readonly EndpointCore _core;
    private readonly Socket _socket;
    private Stream _stream;
    private PipeReader _reader = null!; // set by CreatePipes, before any use
    private PipeWriter _writer = null!;
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource<PeerInfo> _established = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _byePong = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ulong _byeToken;
    private Task _writerTask = Task.CompletedTask;
    private string[] _sentFilter = [];
    private volatile bool _removing;
    private string _removeReason = "";
    private int _gracefulStarted;
    private byte[] _lastTopicBytes = [];
    private string _lastTopic = "";
    private long _malformed;
    private readonly Lock _announceLock = new();
    private volatile bool _announced;
    private ITimer? _nameTimer;

    public PeerConnection(EndpointCore core, Socket socket, PeerDirection direction, string? address, int port, TimeSpan? retry)
    {
        _core = core;
        _socket = socket;
        Direction = direction;
        Address = address;
        Port = port;
        Retry = retry;
        _stream = new NetworkStream(socket, ownsSocket: true);
        if (core.Tls is null)
        {
            CreatePipes();
        }

        Outbox = new PeerOutbox(core.Options.PeerBufferSize, core.Options.PeerOverflowPolicy);
        _byeToken = (ulong)Random.Shared.NextInt64();
    }

    private void CreatePipes()
    {
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
        _writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024, leaveOpen: true));
    }

    /// <summary>TLS before Broker's handshake, bounded by the handshake timeout so a mismatch never hangs.</summary>
    private async Task<bool> StartTlsAsync(PeerTls tls)
    {
        using var timeout = new CancellationTokenSource(_core.Options.HandshakeTimeout, _core.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _cts.Token);
        try
        {
            _stream = await tls.AuthenticateAsync(_stream, Direction == PeerDirection.Inbound, Address ?? "localhost", linked.Token).ConfigureAwait(false);
            CreatePipes();
            return true;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !_cts.IsCancellationRequested)
        {
            return Fail(BrokerErrorCode.PeerTimeout, $"the TLS handshake did not complete within {_core.Options.HandshakeTimeout.TotalSeconds:0.###} s (HandshakeTimeout)");
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            string detail = e.InnerException is null ? e.Message : $"{e.Message} ({e.InnerException.Message})";
            return Fail(BrokerErrorCode.PeerIncompatible, $"TLS handshake failed: {detail}; is TLS configured with matching certificates on both sides?");
        }
    }

    public PeerDirection Direction { get; }

    public string? Address { get; }

    public int Port { get; }

    public TimeSpan? Retry { get; }

    /// <summary>The remote endpoint id, known once hello or version_select arrived.</summary>
    public EndpointId PeerId { get; private set; }

    /// <summary>Set when the handshake completed.</summary>
    public PeerInfo? Info { get; private set; }

    /// <summary>The peer's advertised filter (replaced as a whole by each routing_update).</summary>
    public volatile string[] Filter = [];

    public PeerOutbox Outbox { get; }

    /// <summary>Received messages on their way to local subscribers (used by the reader loop only).</summary>
    public DeliveryBatch Deliveries { get; } = new();

    /// <summary>Where the reader keeps copies of payloads handed to subscriptions that read the bytes themselves.</summary>
    public ReceivedBytes ReceivedBytes { get; } = new();

    public long MalformedFrames => Interlocked.Read(ref _malformed);

    /// <summary>Completes with the peer info after the handshake, or faults with a <see cref="BrokerException"/>.</summary>
    public Task<PeerInfo> Established => _established.Task;

    /// <summary>Completes when the connection is closed and its final status events were emitted.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Info for events about this connection, also before the handshake completed.</summary>
    public PeerInfo DescribeForEvents() => Info ?? new PeerInfo(PeerId, PeerId.IsNil ? $"{Address}:{Port}" : PeerId.ToString(), Address, Port, Direction, Retry);

    public void Start()
    {
        _ = _established.Task.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        Completion = Task.Run(RunAsync);
    }

    /// <summary>Closes at once (no BYE), e.g. at shutdown of a connection still in its handshake.</summary>
    public void Abort()
    {
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Dispose();
    }

    /// <summary>
    /// Broker's graceful removal: stop accepting new frames, drain what was accepted, send ping("BYE"+token), wait up
    /// to 3 s for the pong, then close first. Emits peer_removed.
    /// </summary>
    public async Task CloseGracefullyAsync(string reason, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _gracefulStarted, 1) != 0)
        {
            await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        _removeReason = reason;
        _removing = true;
        _core.Unroute(this);
        Outbox.Complete();
        try
        {
            // A stalled peer must not hang unpeer/shutdown: give the drain the same bound as the BYE.
            await _writerTask.WaitAsync(ByeTimeout, _core.TimeProvider, cancellationToken).ConfigureAwait(false);
            var bye = new byte[11];
            WireFormat.ByeMarker.CopyTo(bye);
            BinaryPrimitives.WriteUInt64LittleEndian(bye.AsSpan(3), _byeToken);
            _writer.Write(FrameArena.RawFrame(_core.Id, PeerId, EnvelopeType.Ping, WireFormat.DefaultTtl, WireFormat.ReservedTopic, bye).Span);
            await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            await _byePong.Task.WaitAsync(ByeTimeout, _core.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or TimeoutException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The peer is gone or slow; close anyway.
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        _cts.Cancel();
        await Completion.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        bool established = false;
        try
        {
            if (_core.Tls is { } tls && !await StartTlsAsync(tls).ConfigureAwait(false))
            {
                return;
            }

            if (!await HandshakeAsync().ConfigureAwait(false))
            {
                return;
            }

            Info = new PeerInfo(PeerId, PeerId.ToString(), Address, Port, Direction, Retry);
            _writerTask = Task.Run(WriteLoopAsync);

            // Our name ping is the first operational frame we send (before any routing update or data), so a
            // Broker.Sdk peer's first frame tells us whether a name is coming (PeerNames).
            Outbox.EnqueueControl(new OutboundFrame(EnvelopeType.Ping, FrameArena.RawFrame(_core.Id, PeerId, EnvelopeType.Ping, WireFormat.DefaultTtl, WireFormat.ReservedTopic, PeerNames.EncodePing(_core.Options.Name))));
            established = _core.OnEstablished(this, _sentFilter);
            if (!established)
            {
                _established.TrySetException(new BrokerException(BrokerErrorCode.ShuttingDown, "the endpoint is shutting down"));
                return;
            }

            // peer_added waits (bounded) for the peer's first frame; a peer that never sends one is announced by id.
            _nameTimer = _core.TimeProvider.CreateTimer(static s => ((PeerConnection)s!).Announce(null), this, _core.Options.PeerNameTimeout, Timeout.InfiniteTimeSpan);
            await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            if (!established)
            {
                _established.TrySetException(new BrokerException(BrokerErrorCode.PeerDisconnectDuringHandshake, e.Message, e));
            }
        }
        finally
        {
            // The peer is gone: nobody will answer a BYE any more.
            _byePong.TrySetResult();
            Outbox.Complete();
            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }

            _socket.Dispose();
            try
            {
                await _writerTask.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Writer failures only mean the socket is gone.
            }

            if (established)
            {
                Announce(null); // A peer that left before its first frame still gets peer_added before peer_lost.
            }

            _core.OnClosed(this, established, _removing, _removeReason);
        }
    }

    /// <summary>
    /// Emits endpoint_discovered + peer_added once, with the peer's name when it sent one, and completes
    /// <see cref="Established"/>. Called by the reader on the peer's first frame, by the name timer, or on close;
    /// the lock keeps the reader from delivering data before the timer's peer_added is out.
    /// </summary>
    private void Announce(string? name)
    {
        lock (_announceLock)
        {
            if (_announced)
            {
                return;
            }

            if (name is not null)
            {
                Info = Info! with { Name = name };
            }

            _core.OnAnnounced(this);
            _announced = true;
        }

        _nameTimer?.Dispose();
        _established.TrySetResult(Info!);
    }

    // ------------------------------------------------------------------ handshake

    private enum Phase
    {
        Initial,
        AwaitVersionSelect,
        AwaitSynAck,
        AwaitSyn,
        AwaitAck,
    }

    private async Task<bool> HandshakeAsync()
    {
        using var timeout = new CancellationTokenSource(_core.Options.HandshakeTimeout, _core.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _cts.Token);
        var ct = linked.Token;
        try
        {
            bool outbound = Direction == PeerDirection.Outbound;

            // Neither side waits for the other (golden README item 1): the acceptor queues a probe, the connector a hello.
            await SendHandshakeAsync(outbound ? HandshakeMessage.Hello(_core.Id) : HandshakeMessage.Probe(), ct).ConfigureAwait(false);
            var phase = Phase.Initial;
            while (true)
            {
                var (status, payload, length) = await ReadHandshakeFrameAsync(ct).ConfigureAwait(false);
                switch (status)
                {
                    case FrameStatus.Eof:
                        // With TLS 1.3 a rejected client certificate is only noticed by the server, which then closes.
                        return Fail(BrokerErrorCode.PeerDisconnectDuringHandshake, _core.Tls is null
                            ? "the remote side closed the connection during the handshake"
                            : "the remote side closed the connection during the handshake (with TLS: it may have rejected our certificate)");
                    case FrameStatus.TooLarge when length >> 24 == 0x16 && ((length >> 16) & 0xFF) == 0x03:
                        return Fail(BrokerErrorCode.PeerIncompatible, "the peer started a TLS handshake but TLS is not configured here (BrokerEndpointOptions.Tls); closing");
                    case FrameStatus.TooLarge:
                        // A Broker peer hears why (drop_conn) before we close; the oversized frame is never buffered.
                        return await DropAsync(BrokerErrorCode.InvalidMessage, $"handshake frame of {length} bytes exceeds the limit of {_core.Options.MaxHandshakeFrameSize} (MaxHandshakeFrameSize)", ct).ConfigureAwait(false);
                    case FrameStatus.Empty:
                        return Fail(BrokerErrorCode.InvalidMessage, "zero-length frame during the handshake");
                }

                var parse = HandshakeMessage.TryParse(payload, out var msg);
                if (parse == HandshakeParseResult.InvalidType)
                {
                    return await DropAsync(BrokerErrorCode.InvalidMessage, "invalid message type tag", ct).ConfigureAwait(false);
                }

                if (parse == HandshakeParseResult.Truncated)
                {
                    return await DropAsync(BrokerErrorCode.InvalidMessage, $"failed to parse {HandshakeMessage.NameOf((HandshakeType)payload[0])}", ct).ConfigureAwait(false);
                }

                var m = msg!;
                if (m.Type is HandshakeType.Hello or HandshakeType.Probe or HandshakeType.VersionSelect && m.Magic != WireFormat.Magic)
                {
                    return await DropAsync(BrokerErrorCode.WrongMagicNumber, "wrong magic number", ct).ConfigureAwait(false);
                }

                switch (m.Type)
                {
                    case HandshakeType.Probe:
                        continue;
                    case HandshakeType.DropConn:
                        return Fail(m.Code, $"the peer dropped the connection: {m.Description} ({m.Code.Name()})");
                    case HandshakeType.Hello when phase == Phase.Initial:
                        if (m.MinVersion > WireFormat.ProtocolVersion || m.MaxVersion < WireFormat.ProtocolVersion)
                        {
                            return await DropAsync(BrokerErrorCode.PeerIncompatible, "unsupported versions offered", ct).ConfigureAwait(false);
                        }

                        PeerId = m.Sender;
                        if (PeerId == _core.Id)
                        {
                            return await DropAsync(BrokerErrorCode.InvalidPeeringRequest, "cannot peer with itself", ct).ConfigureAwait(false);
                        }

                        if (_core.Id < PeerId)
                        {
                            // We are the originator (smaller id).
                            if (!_core.TryClaim(this))
                            {
                                return await DropAsync(BrokerErrorCode.RedundantConnection, "redundant connection", ct).ConfigureAwait(false);
                            }

                            _sentFilter = _core.AdvertisedFilter;
                            await SendHandshakeAsync(HandshakeMessage.VersionSelect(_core.Id), HandshakeMessage.OriginatorSyn(_sentFilter), ct).ConfigureAwait(false);
                            phase = Phase.AwaitSynAck;
                        }
                        else
                        {
                            if (!outbound)
                            {
                                await SendHandshakeAsync(HandshakeMessage.Hello(_core.Id), ct).ConfigureAwait(false);
                            }

                            phase = Phase.AwaitVersionSelect;
                        }

                        continue;
                    case HandshakeType.VersionSelect when phase == Phase.AwaitVersionSelect || (phase == Phase.Initial && outbound):
                        if (m.Version != WireFormat.ProtocolVersion)
                        {
                            return await DropAsync(BrokerErrorCode.PeerIncompatible, "unsupported versions offered", ct).ConfigureAwait(false);
                        }

                        PeerId = m.Sender;
                        if (!(PeerId < _core.Id) || !_core.TryClaim(this))
                        {
                            return await DropAsync(BrokerErrorCode.LogicError, "detected redundant connection at the responder", ct).ConfigureAwait(false);
                        }

                        phase = Phase.AwaitSyn;
                        continue;
                    case HandshakeType.OriginatorSyn when phase == Phase.AwaitSyn:
                        Filter = m.Filter;
                        _sentFilter = _core.AdvertisedFilter;
                        await SendHandshakeAsync(HandshakeMessage.ResponderSynAck(_sentFilter), ct).ConfigureAwait(false);
                        phase = Phase.AwaitAck;
                        continue;
                    case HandshakeType.ResponderSynAck when phase == Phase.AwaitSynAck:
                        Filter = m.Filter;
                        await SendHandshakeAsync(HandshakeMessage.OriginatorAck(), ct).ConfigureAwait(false);
                        return true;
                    case HandshakeType.OriginatorAck when phase == Phase.AwaitAck:
                        return true;
                    default:
                        // A valid message in the wrong state: Broker closes without a drop_conn.
                        return Fail(BrokerErrorCode.UnexpectedHandshakeMessage, $"unexpected {HandshakeMessage.NameOf(m.Type)} during the handshake");
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !_cts.IsCancellationRequested)
        {
            return Fail(BrokerErrorCode.PeerTimeout, $"the handshake did not complete within {_core.Options.HandshakeTimeout.TotalSeconds:0.###} s (HandshakeTimeout)");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            return Fail(BrokerErrorCode.PeerDisconnectDuringHandshake, $"the connection failed during the handshake: {e.Message}");
        }
    }

    private bool Fail(BrokerErrorCode code, string message)
    {
        var error = new BrokerException(code, message);
        _established.TrySetException(error);
        _core.Emit(new ErrorEvent(code, DescribeForEvents(), message));
        return false;
    }

    private async Task<bool> DropAsync(BrokerErrorCode code, string description, CancellationToken ct)
    {
        try
        {
            await SendHandshakeAsync(HandshakeMessage.DropConn(_core.Id, code, description), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
        }

        return Fail(code, $"dropped the connection: {description}");
    }

    private async ValueTask SendHandshakeAsync(byte[] payload, CancellationToken ct)
    {
        Envelope.WriteHandshakeFrame(_writer, payload);
        await _writer.FlushAsync(ct).ConfigureAwait(false);
    }

    private async ValueTask SendHandshakeAsync(byte[] first, byte[] second, CancellationToken ct)
    {
        Envelope.WriteHandshakeFrame(_writer, first);
        Envelope.WriteHandshakeFrame(_writer, second);
        await _writer.FlushAsync(ct).ConfigureAwait(false);
    }

    private enum FrameStatus
    {
        Ok,
        Eof,
        TooLarge,
        Empty,
    }

    private async ValueTask<(FrameStatus Status, byte[] Payload, uint Length)> ReadHandshakeFrameAsync(CancellationToken ct)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= 4)
            {
                uint length = ReadLength(buffer);
                if (length == 0)
                {
                    _reader.AdvanceTo(buffer.GetPosition(4));
                    return (FrameStatus.Empty, [], 0);
                }

                // Bound the length before buffering anything (Broker allocates whatever is announced).
                if (length > (uint)_core.Options.MaxHandshakeFrameSize)
                {
                    _reader.AdvanceTo(buffer.Start, buffer.End);
                    return (FrameStatus.TooLarge, [], length);
                }

                if (buffer.Length >= 4 + length)
                {
                    var payload = buffer.Slice(4, length).ToArray();
                    _reader.AdvanceTo(buffer.GetPosition(4 + length));
                    return (FrameStatus.Ok, payload, length);
                }
            }

            if (result.IsCompleted)
            {
                _reader.AdvanceTo(buffer.End);
                return (FrameStatus.Eof, [], 0);
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static uint ReadLength(in ReadOnlySequence<byte> buffer)
    {
        Span<byte> head = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(head);
        return BinaryPrimitives.ReadUInt32BigEndian(head);
    }

    // ------------------------------------------------------------------ operational phase

    private async Task ReadLoopAsync()
    {
        try
        {
            await ReadFramesAsync().ConfigureAwait(false);
        }
        finally
        {
            // Whatever was received is delivered before the connection's final status events.
            Deliveries.Flush(_core);
        }
    }

    private async Task ReadFramesAsync()
    {
        // One timer for the whole connection, re-armed per read (no allocation per read).
        var idleTimeout = _core.Options.IdleTimeout;
        bool idleLimited = idleTimeout != Timeout.InfiniteTimeSpan;
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _core.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token, idle.Token);
        var ct = idleLimited ? linked.Token : _cts.Token;
        uint max = (uint)_core.Options.MaxFrameSize;
        if (idleLimited)
        {
            idle.CancelAfter(idleTimeout);
        }

        while (true)
        {
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                if (idle.IsCancellationRequested && !_cts.IsCancellationRequested)
                {
                    _core.Emit(new ErrorEvent(BrokerErrorCode.PeerTimeout, Info, $"nothing received for {idleTimeout.TotalSeconds:0.###} s (IdleTimeout); closing the connection"));
                }

                return;
            }

            // Re-armed as soon as bytes arrive, before they are processed: a frame's reply (a pong) must not go out
            // while the timer still counts from the previous read.
            if (idleLimited)
            {
                idle.CancelAfter(idleTimeout);
            }

            var buffer = result.Buffer;
            long startLength = buffer.Length;
            int frames = 0;
            while (buffer.Length >= 4)
            {
                // Fast path: walk the frames that lie wholly in the first segment as a plain span (slicing the
                // sequence per frame costs more than decoding a small event).
                var span = buffer.FirstSpan;
                int offset = 0;
                while (span.Length - offset >= 4)
                {
                    uint spanLength = BinaryPrimitives.ReadUInt32BigEndian(span[offset..]);
                    if (spanLength > max || (uint)(span.Length - offset - 4) < spanLength)
                    {
                        break; // Too large (reported below) or not wholly in this segment.
                    }

                    if (spanLength > 0 && !ProcessFrame(span.Slice(offset + 4, (int)spanLength)))
                    {
                        _reader.AdvanceTo(buffer.GetPosition(offset), buffer.End);
                        return;
                    }

                    offset += 4 + (int)spanLength;
                    frames++;
                }

                if (offset > 0)
                {
                    buffer = buffer.Slice(offset);
                    continue;
                }

                uint length = ReadLength(buffer);
                if (length > max)
                {
                    if (!_announced)
                    {
                        Announce(null);
                    }

                    _core.Emit(new ErrorEvent(BrokerErrorCode.InvalidMessage, Info, $"frame of {length} bytes exceeds the limit of {max} (MaxFrameSize); closing the connection"));
                    _reader.AdvanceTo(buffer.Start, buffer.End);
                    return;
                }

                if (buffer.Length < 4 + length)
                {
                    break;
                }

                var frame = buffer.Slice(4, length);
                if (length > 0)
                {
                    bool keep;
                    if (frame.IsSingleSegment)
                    {
                        keep = ProcessFrame(frame.FirstSpan);
                    }
                    else
                    {
                        var rented = ArrayPool<byte>.Shared.Rent((int)length);
                        frame.CopyTo(rented);
                        keep = ProcessFrame(rented.AsSpan(0, (int)length));
                        ArrayPool<byte>.Shared.Return(rented);
                    }

                    if (!keep)
                    {
                        _reader.AdvanceTo(buffer.Start, buffer.End);
                        return;
                    }
                }

                buffer = buffer.Slice(4 + length);
                frames++;
            }

            // Counters, then deliveries, once per read (not per frame): whoever received a message sees it counted.
            _core.CountIn(frames, startLength - buffer.Length);
            Deliveries.Flush(_core);
            _reader.AdvanceTo(buffer.Start, result.Buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    /// <summary>Handles one frame; false when a limit was exceeded and the connection must close.</summary>
    private bool ProcessFrame(ReadOnlySpan<byte> frame)
    {
        if (!Envelope.TryParse(frame, out var env))
        {
            Malformed(frame.Length < WireFormat.EnvelopeHeaderSize ? "an envelope shorter than 37 bytes" : "an envelope with an unknown type or a topic longer than the frame");
            return true;
        }

        if (!_announced)
        {
            // The first frame: a Broker.Sdk peer's name ping, or anything else (then no name is coming).
            Announce(env.Type == EnvelopeType.Ping && !env.Sender.IsNil && PeerNames.TryDecode(env.Payload, out var first) ? first : null);
        }

        if (env.Topic.Length > _core.Options.MaxTopicLength)
        {
            _core.Emit(new ErrorEvent(BrokerErrorCode.InvalidMessage, Info, $"topic of {env.Topic.Length} bytes exceeds the limit of {_core.Options.MaxTopicLength} (MaxTopicLength); closing the connection"));
            return false;
        }

        switch (env.Type)
        {
            case EnvelopeType.Data:
            {
                if (!env.Receiver.IsNil && env.Receiver != _core.Id)
                {
                    return true; // Unicast for someone else: we do not route by receiver.
                }

                string topic = TopicOf(env.Topic);
                if (_core.OnData(this, topic, env.Payload, env.Ttl) is { } rejected)
                {
                    if (rejected.LimitExceeded)
                    {
                        return OverLimit($"data on '{topic}'", rejected);
                    }

                    // Malformed but framed: the frame boundary is intact, so only this message is lost.
                    Malformed($"undecodable data on '{topic}': {rejected.Message}");
                }

                return true;
            }

            case EnvelopeType.Command:
            {
                string topic = TopicOf(env.Topic);
                if (ExceedsDecodeLimits(env.Payload, out var commandOverLimit))
                {
                    return OverLimit($"command on '{topic}'", commandOverLimit);
                }

                var sender = env.Sender.IsNil ? PeerId : env.Sender;
                _core.OnCommand(this, new CommandMessage(topic, sender, env.Receiver, env.Payload.ToArray()), env.Ttl);
                return true;
            }

            case EnvelopeType.RoutingUpdate:
                if (FilterCodec.CheckLimits(env.Payload, _core.Options.DecodeLimits.MaxCollectionCount, _core.Options.MaxTopicLength) is { } overLimit)
                {
                    _core.Emit(new ErrorEvent(BrokerErrorCode.InvalidMessage, Info, $"{overLimit}; closing the connection"));
                    return false;
                }

                if (!FilterCodec.TryRead(env.Payload, out var filter, out _))
                {
                    Malformed("an unparsable routing_update");
                    return true;
                }

                Filter = filter;
                return true;
            case EnvelopeType.Ping:
                if (env.Sender.IsNil)
                {
                    return true; // Broker treats a nil sender as local and does not answer.
                }

                if (PeerNames.TryDecode(env.Payload, out var late) && late is not null && late != Info!.Name)
                {
                    Info = Info with { Name = late }; // A name after the wait: later events and Peers use it.
                }

                Outbox.EnqueueControl(new OutboundFrame(EnvelopeType.Pong, FrameArena.RawFrame(_core.Id, PeerId, EnvelopeType.Pong, WireFormat.DefaultTtl, WireFormat.ReservedTopic, env.Payload)));
                return true;
            case EnvelopeType.Pong:
                if (env.Payload.Length == 11 && env.Payload.StartsWith(WireFormat.ByeMarker) && BinaryPrimitives.ReadUInt64LittleEndian(env.Payload[3..]) == _byeToken)
                {
                    _byePong.TrySetResult();
                }

                return true;
        }

        return true;
    }

    /// <summary>Reports a payload over <see cref="BrokerEndpointOptions.DecodeLimits"/>; false: close the connection.</summary>
    private bool OverLimit(string what, BrokerDecodeException e)
    {
        _core.Emit(new ErrorEvent(BrokerErrorCode.InvalidMessage, Info, $"{what}: {e.Message}; closing the connection"));
        return false;
    }

    /// <summary>
    /// Store commands are parsed later by the store actor; check them against this endpoint's decode limits here,
    /// where the connection that sent them is known. A payload shorter than every limit cannot exceed one (each
    /// nesting level takes two bytes), so the common small command costs nothing; malformed commands are left to
    /// the store, which drops and counts them.
    /// </summary>
    private bool ExceedsDecodeLimits(ReadOnlySpan<byte> payload, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BrokerDecodeException? error)
    {
        error = null;
        var limits = _core.Options.DecodeLimits;
        if (payload.Length < Math.Min(2 * limits.MaxDepth, Math.Min(limits.MaxCollectionCount, limits.MaxStringBytes)))
        {
            return false;
        }

        try
        {
            Stores.Wire.StoreCommandCodec.Parse(payload, limits);
            return false;
        }
        catch (BrokerDecodeException e) when (e.LimitExceeded)
        {
            error = e;
            return true;
        }
        catch (BrokerDecodeException)
        {
            return false;
        }
    }

    private string TopicOf(ReadOnlySpan<byte> bytes)
    {
        // Most peers publish on few topics: reuse the last string instead of allocating one per message.
        if (bytes.SequenceEqual(_lastTopicBytes))
        {
            return _lastTopic;
        }

        _lastTopic = Encoding.UTF8.GetString(bytes);
        _lastTopicBytes = bytes.ToArray();
        return _lastTopic;
    }

    private void Malformed(string what)
    {
        if (!_announced)
        {
            Announce(null); // A garbled first frame: no name is coming, and the error follows peer_added.
        }

        Interlocked.Increment(ref _malformed);
        _core.OnMalformed(this, $"dropped {what}");
    }

    private async Task WriteLoopAsync()
    {
        var control = new Queue<OutboundFrame>();
        var data = new Queue<OutboundFrame>();
        try
        {
            while (await Outbox.WaitAsync().ConfigureAwait(false))
            {
                Outbox.TakeAll(ref control, ref data);
                while (control.TryDequeue(out var f))
                {
                    _writer.Write(f.Bytes.Span);
                }

                int n = 0;
                while (data.TryDequeue(out var f))
                {
                    _writer.Write(f.Bytes.Span);
                    if (++n == 4096)
                    {
                        n = 0;
                        _core.CountOut(4096);
                        var r = await _writer.FlushAsync().ConfigureAwait(false);
                        if (r.IsCompleted || r.IsCanceled)
                        {
                            return;
                        }
                    }
                }

                _core.CountOut(n);
                var result = await _writer.FlushAsync().ConfigureAwait(false);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The connection broke: make the reader notice now.
            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Disconnect policy: the peer's queue overflowed.</summary>
    public void CloseForOverflow()
    {
        if (_removing)
        {
            return;
        }

        _removeReason = "output buffer overflow";
        _removing = true;
        _core.Emit(new ErrorEvent(BrokerErrorCode.Unspecified, Info, $"the output buffer of {PeerId} overflowed ({_core.Options.PeerBufferSize} messages); disconnecting"));
        Abort();
    }
}
