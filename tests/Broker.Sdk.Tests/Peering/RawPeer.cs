using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using Broker.Data;
using Broker.Wire;

namespace Broker.Sdk.Tests.Peering;

/// <summary>
/// A hand-made Broker peer over a raw socket (like the "R" of the golden captures): it speaks the wire protocol
/// frame by frame so tests can send exactly what they want, including garbage, and read exactly what came back.
/// </summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawPeer(TcpClient client, EndpointId id)
    {
        _client = client;
        _stream = client.GetStream();
        Id = id;
    }

    /// <summary>An id smaller than any random one, so the raw peer is the originator.</summary>
    public static EndpointId SmallId(byte n = 1) => EndpointId.Parse($"00000000-0000-0000-0000-0000000000{n:x2}");

    /// <summary>An id larger than any random one, so our endpoint is the originator.</summary>
    public static EndpointId LargeId(byte n = 1) => EndpointId.Parse($"ffffffff-ffff-ffff-ffff-ffffffffff{n:x2}");

    public EndpointId Id { get; }

    public EndpointId RemoteId { get; private set; }

    public Socket Socket => _client.Client;

    public static async Task<RawPeer> ConnectAsync(int port, EndpointId? id = null)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        return new RawPeer(client, id ?? SmallId());
    }

    public static RawPeer FromAccepted(TcpClient client, EndpointId id) => new(client, id);

    /// <summary>Connects and completes the handshake as originator (our id must be the smaller one).</summary>
    public static async Task<RawPeer> HandshakeAsync(int port, EndpointId? id = null, params string[] filter)
    {
        var peer = await ConnectAsync(port, id ?? SmallId());
        await peer.SendAsync(HandshakeMessage.Hello(peer.Id));
        var hello = await peer.ReadHandshakeSkippingProbesAsync();
        if (hello.Type != HandshakeType.Hello)
        {
            throw new InvalidOperationException($"expected hello, got {hello.Type}");
        }

        peer.RemoteId = hello.Sender;
        await peer.SendAsync(HandshakeMessage.VersionSelect(peer.Id), HandshakeMessage.OriginatorSyn(filter));
        var ack = await peer.ReadHandshakeSkippingProbesAsync();
        if (ack.Type != HandshakeType.ResponderSynAck)
        {
            throw new InvalidOperationException($"expected responder_syn_ack, got {ack.Type} {ack.Description}");
        }

        await peer.SendAsync(HandshakeMessage.OriginatorAck());
        return peer;
    }

    /// <summary>Connects and completes the handshake as responder (our id must be the larger one).</summary>
    public static async Task<RawPeer> HandshakeAsResponderAsync(int port, EndpointId id, params string[] filter)
    {
        var peer = await ConnectAsync(port, id);
        await peer.SendAsync(HandshakeMessage.Hello(peer.Id));
        var select = await peer.ReadHandshakeSkippingProbesAsync();
        if (select.Type != HandshakeType.VersionSelect)
        {
            throw new InvalidOperationException($"expected version_select, got {select.Type} {select.Description}");
        }

        peer.RemoteId = select.Sender;
        var syn = await peer.ReadHandshakeSkippingProbesAsync();
        if (syn.Type != HandshakeType.OriginatorSyn)
        {
            throw new InvalidOperationException($"expected originator_syn, got {syn.Type}");
        }

        await peer.SendAsync(HandshakeMessage.ResponderSynAck(filter));
        var ack = await peer.ReadHandshakeSkippingProbesAsync();
        if (ack.Type != HandshakeType.OriginatorAck)
        {
            throw new InvalidOperationException($"expected originator_ack, got {ack.Type}");
        }

        return peer;
    }

    /// <summary>Sends a ping and waits for the matching pong: proves the connection still works.</summary>
    public async Task PingAsync(string payload = "alive?")
    {
        var body = System.Text.Encoding.ASCII.GetBytes(payload);
        await SendEnvelopeAsync(EnvelopeType.Ping, WireFormat.ReservedTopic, body);
        var pong = await ReadEnvelopeAsync(EnvelopeType.Pong);
        Envelope.TryParse(pong, out var env);
        if (!env.Payload.SequenceEqual(body) || env.Receiver != Id || env.Sender != RemoteId)
        {
            throw new InvalidOperationException("the pong does not echo the ping");
        }
    }

    /// <summary>Completes the handshake on an accepted connection (the endpoint dialed us), as originator.</summary>
    public async Task AcceptHandshakeAsync(params string[] filter)
    {
        await SendAsync(HandshakeMessage.Probe());
        var hello = await ReadHandshakeSkippingProbesAsync();
        RemoteId = hello.Sender;
        await SendAsync(HandshakeMessage.VersionSelect(Id), HandshakeMessage.OriginatorSyn(filter));
        var ack = await ReadHandshakeSkippingProbesAsync();
        if (ack.Type != HandshakeType.ResponderSynAck)
        {
            throw new InvalidOperationException($"expected responder_syn_ack, got {ack.Type}");
        }

        await SendAsync(HandshakeMessage.OriginatorAck());
    }

    public async Task SendAsync(params byte[][] payloads)
    {
        var writer = new ArrayBufferWriter<byte>();
        foreach (var p in payloads)
        {
            Envelope.WriteHandshakeFrame(writer, p);
        }

        await _stream.WriteAsync(writer.WrittenMemory);
    }

    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    public async Task SendDataAsync(string topic, BrokerData data, ushort ttl = 16, EndpointId? sender = null)
    {
        await _stream.WriteAsync(FrameArena.DataFrame(sender ?? Id, EndpointId.Nil, ttl, topic, data));
    }

    public async Task SendEnvelopeAsync(EnvelopeType type, string topic, byte[] body, EndpointId? receiver = null)
    {
        await _stream.WriteAsync(FrameArena.RawFrame(Id, receiver ?? RemoteId, type, 16, topic, body));
    }

    /// <summary>Reads one frame payload; null on EOF/reset.</summary>
    public async Task<byte[]?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? PeeringTestKit.Deadline);
        var head = new byte[4];
        try
        {
            if (!await ReadExactlyAsync(head, cts.Token))
            {
                return null;
            }

            var payload = new byte[BinaryPrimitives.ReadUInt32BigEndian(head)];
            return await ReadExactlyAsync(payload, cts.Token) ? payload : null;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException("the endpoint sent no frame and did not close the connection in time");
        }
        catch (IOException)
        {
            return null;
        }
    }

    public async Task<HandshakeMessage> ReadHandshakeAsync()
    {
        var frame = await ReadFrameAsync() ?? throw new InvalidOperationException("connection closed during the handshake");
        if (HandshakeMessage.TryParse(frame, out var m) != HandshakeParseResult.Ok)
        {
            throw new InvalidOperationException($"unparsable handshake frame {Convert.ToHexString(frame)}");
        }

        return m!;
    }

    public async Task<HandshakeMessage> ReadHandshakeSkippingProbesAsync()
    {
        while (true)
        {
            var m = await ReadHandshakeAsync();
            if (m.Type != HandshakeType.Probe)
            {
                return m;
            }
        }
    }

    /// <summary>Reads frames until one of <paramref name="type"/> arrives (skipping e.g. routing updates).</summary>
    public async Task<byte[]> ReadEnvelopeAsync(EnvelopeType type)
    {
        while (true)
        {
            var frame = await ReadFrameAsync() ?? throw new InvalidOperationException($"connection closed while waiting for {type}");
            if (Envelope.TryParse(frame, out var env) && env.Type == type)
            {
                return frame;
            }
        }
    }

    /// <summary>Reads until the endpoint closes the connection; fails if it does not within the deadline.</summary>
    public async Task<List<byte[]>> ReadUntilClosedAsync(TimeSpan? timeout = null)
    {
        var frames = new List<byte[]>();
        while (await ReadFrameAsync(timeout) is { } f)
        {
            frames.Add(f);
        }

        return frames;
    }

    /// <summary>Closes with a reset (like a killed process whose socket is torn down).</summary>
    public void Reset()
    {
        _client.Client.LingerState = new LingerOption(true, 0);
        _client.Client.Close();
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken ct)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await _stream.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
