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
        ["reader"] = Reader,
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

    /// <summary>
    /// Broker binary data through the typed receive path: <see cref="BrokerBinary.Validate"/> must agree with the
    /// decoder (same outcome, message, offset and limit flag: a disagreement is a crash), and <see cref="BrokerReader"/>
    /// must never throw on any input and skip exactly one value of valid input.
    /// </summary>
    private static void Reader(byte[] input)
    {
        var limits = _limits ??= new() { MaxDepth = 32, MaxCollectionCount = 1 << 16, MaxStringBytes = 1 << 20 };
        BrokerDecodeException? decodeError = null, validateError = null;
        try
        {
            BrokerBinary.Decode(input, limits);
        }
        catch (BrokerDecodeException ex)
        {
            decodeError = ex;
        }

        try
        {
            BrokerBinary.Validate(input, limits);
        }
        catch (BrokerDecodeException ex)
        {
            validateError = ex;
        }

        if (decodeError?.Message != validateError?.Message || decodeError?.LimitExceeded != validateError?.LimitExceeded)
        {
            throw new InvalidOperationException($"Validate disagrees with Decode: {decodeError?.Message ?? "valid"} vs {validateError?.Message ?? "valid"}");
        }

        var reader = new BrokerReader(input);
        if (decodeError is null && (!reader.TrySkip() || reader.Remaining != 0))
        {
            throw new InvalidOperationException("TrySkip did not skip the whole valid value");
        }

        // Every read on whatever comes: none may throw (ReadData only BrokerDecodeException) or consume on failure.
        reader = new BrokerReader(input);
        if (reader.TryReadZeekEventHeader(out _, out int arguments, out bool hasMetadata))
        {
            for (int i = 0; i < arguments && reader.TrySkip(); i++)
            {
            }

            if (hasMetadata)
            {
                reader.TrySkipZeekEventMetadata();
            }
        }

        while (reader.Remaining > 0)
        {
            int before = reader.Position;
            if (!(reader.TryReadNone() || reader.TryReadBoolean(out _) || reader.TryReadCount(out _) || reader.TryReadInteger(out _) ||
                reader.TryReadReal(out _) || reader.TryReadTimestamp(out _) || reader.TryReadTimespan(out _) || reader.TryReadString(out _) ||
                reader.TryReadEnumValue(out _) || reader.TryReadVectorHeader(out _) || reader.TrySkip()))
            {
                if (reader.Position != before)
                {
                    throw new InvalidOperationException("a failed read consumed input");
                }

                try
                {
                    reader.ReadData(limits);
                }
                catch (BrokerDecodeException)
                {
                }

                break;
            }
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
