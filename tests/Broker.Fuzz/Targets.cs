using System.Text;
using Broker.Errors;
using Broker.Serialization;
using Broker.Serialization.Json;
using Broker.WebSockets;
using Broker.Wire;

namespace Broker.Fuzz;

/// <summary>
/// One entry per network decoder. Each swallows only the decoder's documented failure; anything else escapes and
/// is reported by AFL++ as a crash.
/// </summary>
internal static class Targets
{
    public static readonly Dictionary<string, Action<byte[]>> All = new()
    {
        ["binary"] = Binary,
        ["frame"] = Frame,
        ["json"] = Json,
        ["http"] = Http,
    };

    // Created on first use: instrumented SDK code must not run before SharpFuzz sets up AFL's shared memory.
    private static BrokerDecodeLimits? _limits;

    /// <summary>Broker binary data (the payload of every data message and store command).</summary>
    private static void Binary(byte[] input)
    {
        try
        {
            BrokerBinary.Decode(input, _limits ??= new() { MaxDepth = 32, MaxCollectionCount = 1 << 16, MaxStringBytes = 1 << 20 });
        }
        catch (BrokerDecodeException)
        {
        }
    }

    /// <summary>A native frame payload: handshake message, or envelope with its filter or data payload.</summary>
    private static void Frame(byte[] input)
    {
        HandshakeMessage.TryParse(input, out _);
        if (Envelope.TryParse(input, out var env))
        {
            _ = Encoding.UTF8.GetString(env.Topic);
            if (env.Type == EnvelopeType.RoutingUpdate)
            {
                FilterCodec.TryRead(env.Payload, out _, out _);
            }
            else if (env.Type == EnvelopeType.Data)
            {
                Binary(env.Payload.ToArray());
            }
        }
    }

    /// <summary>JSON v1: client data messages, the subscription array and server frames.</summary>
    private static void Json(byte[] input)
    {
        try
        {
            BrokerJson.ReadDataMessage(input);
        }
        catch (BrokerDecodeException)
        {
        }

        try
        {
            BrokerJson.ReadSubscriptions(input);
        }
        catch (BrokerDecodeException)
        {
        }

        try
        {
            BrokerJson.ReadServerFrame(input);
        }
        catch (BrokerDecodeException)
        {
        }
    }

    /// <summary>The HTTP upgrade request head of the WebSocket server.</summary>
    private static void Http(byte[] input)
    {
        try
        {
            HttpUpgrade.ReadRequestAsync(new MemoryStream(input), 4096, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (EndOfStreamException)
        {
        }
    }
}
