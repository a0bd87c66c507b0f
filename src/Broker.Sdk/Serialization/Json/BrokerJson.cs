using System.Buffers;
using System.Text;
using Broker.Data;
using Broker.Errors;

namespace Broker.Serialization.Json;

/// <summary>
/// The JSON codec of Broker's WebSocket API v1 (spec §6): value objects, data messages, the handshake ACK and
/// error frames. Output equals Broker's byte for byte wherever Broker's output is valid JSON; input is accepted
/// as Broker accepts it. Readers throw only <see cref="BrokerDecodeException"/>, whose message is the context
/// Broker puts after <c>input #N</c> in its error frames (e.g. <c>contained invalid data</c>).
/// </summary>
public static class BrokerJson
{
    /// <summary>Writes a value object <c>{"@data-type":…,"data":…}</c>.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="value">The value.</param>
    /// <param name="options">Output options (default Broker's format).</param>
    public static void WriteValue(IBufferWriter<byte> writer, in BrokerData value, BrokerJsonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        BrokerJsonWriter.WriteValue(writer, value, options ?? BrokerJsonOptions.Default);
    }

    /// <summary>Returns a value object as a string.</summary>
    /// <param name="value">The value.</param>
    /// <param name="options">Output options.</param>
    /// <returns>The JSON text.</returns>
    public static string ToJson(in BrokerData value, BrokerJsonOptions? options = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteValue(buffer, value, options);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes a data message <c>{"type":"data-message","topic":…,"@data-type":…,"data":…}</c>.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="topic">The topic.</param>
    /// <param name="value">The value.</param>
    /// <param name="options">Output options.</param>
    public static void WriteDataMessage(IBufferWriter<byte> writer, string topic, in BrokerData value, BrokerJsonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(topic);
        BrokerJsonWriter.Raw(writer, "{\"type\":\"data-message\",\"topic\":"u8);
        BrokerJsonWriter.WriteString(writer, topic);
        BrokerJsonWriter.Raw(writer, ",\"@data-type\":"u8);
        BrokerJsonWriter.WriteTypeAndData(writer, value, options ?? BrokerJsonOptions.Default);
        BrokerJsonWriter.Raw(writer, "}"u8);
    }

    /// <summary>Writes the handshake ACK <c>{"type":"ack","endpoint":…,"version":…}</c>.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="endpoint">The endpoint id text.</param>
    /// <param name="version">The version text.</param>
    public static void WriteAck(IBufferWriter<byte> writer, string endpoint, string version)
    {
        ArgumentNullException.ThrowIfNull(writer);
        BrokerJsonWriter.Raw(writer, "{\"type\":\"ack\",\"endpoint\":"u8);
        BrokerJsonWriter.WriteString(writer, endpoint);
        BrokerJsonWriter.Raw(writer, ",\"version\":"u8);
        BrokerJsonWriter.WriteString(writer, version);
        BrokerJsonWriter.Raw(writer, "}"u8);
    }

    /// <summary>Writes an error frame <c>{"type":"error","code":…,"context":…}</c>.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="code">The error code name, e.g. <c>deserialization_failed</c>.</param>
    /// <param name="context">The context text.</param>
    public static void WriteError(IBufferWriter<byte> writer, string code, string context)
    {
        ArgumentNullException.ThrowIfNull(writer);
        BrokerJsonWriter.Raw(writer, "{\"type\":\"error\",\"code\":"u8);
        BrokerJsonWriter.WriteString(writer, code);
        BrokerJsonWriter.Raw(writer, ",\"context\":"u8);
        BrokerJsonWriter.WriteString(writer, context);
        BrokerJsonWriter.Raw(writer, "}"u8);
    }

    /// <summary>Writes the handshake's subscription array, e.g. <c>["/a","/b"]</c>.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="prefixes">The topic prefixes.</param>
    public static void WriteSubscriptions(IBufferWriter<byte> writer, IReadOnlyList<string> prefixes)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(prefixes);
        BrokerJsonWriter.Raw(writer, "["u8);
        for (int i = 0; i < prefixes.Count; i++)
        {
            if (i > 0) BrokerJsonWriter.Raw(writer, ","u8);
            BrokerJsonWriter.WriteString(writer, prefixes[i]);
        }

        BrokerJsonWriter.Raw(writer, "]"u8);
    }

    /// <summary>Reads a value object.</summary>
    /// <param name="json">UTF-8 JSON.</param>
    /// <param name="limits">Input limits.</param>
    /// <returns>The value.</returns>
    /// <exception cref="BrokerDecodeException">Malformed JSON or invalid data.</exception>
    public static BrokerData ReadValue(ReadOnlySpan<byte> json, BrokerJsonReadLimits? limits = null)
    {
        var node = JsonSyntax.Parse(json, (limits ?? BrokerJsonReadLimits.Default).MaxDepth);
        if (node.Kind != JsonNodeKind.Object)
        {
            throw new BrokerDecodeException(BrokerJsonReader.ExpectedObject);
        }

        return BrokerJsonReader.ToData(node);
    }

    /// <summary>Reads a value object from text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The value.</returns>
    /// <exception cref="BrokerDecodeException">Malformed JSON or invalid data.</exception>
    public static BrokerData ReadValue(string json) => ReadValue(Encoding.UTF8.GetBytes(json));

    /// <summary>
    /// Reads a data message sent by a client, as Broker's server did: the <c>type</c> key and unknown keys are
    /// ignored; the value must be valid. A missing, non-string or empty topic is not an error for Broker (the
    /// message is silently dropped), so it comes back as a null topic.
    /// </summary>
    /// <param name="json">UTF-8 JSON.</param>
    /// <param name="limits">Input limits.</param>
    /// <returns>The topic (null when absent or empty) and the value.</returns>
    /// <exception cref="BrokerDecodeException">The message text for Broker's error context: malformed JSON, not an object, invalid data.</exception>
    public static (string? Topic, BrokerData Data) ReadDataMessage(ReadOnlySpan<byte> json, BrokerJsonReadLimits? limits = null)
    {
        var node = JsonSyntax.Parse(json, (limits ?? BrokerJsonReadLimits.Default).MaxDepth);
        if (node.Kind != JsonNodeKind.Object)
        {
            throw new BrokerDecodeException(BrokerJsonReader.ExpectedObject);
        }

        var data = BrokerJsonReader.ToData(node);
        string? topic = BrokerJsonReader.Text(node.Get("topic"u8));
        return (string.IsNullOrEmpty(topic) ? null : topic, data);
    }

    /// <summary>Reads the handshake's first frame: a JSON array of topic-prefix strings.</summary>
    /// <param name="json">UTF-8 JSON.</param>
    /// <param name="limits">Input limits.</param>
    /// <returns>The prefixes.</returns>
    /// <exception cref="BrokerDecodeException">Not an array of strings.</exception>
    public static string[] ReadSubscriptions(ReadOnlySpan<byte> json, BrokerJsonReadLimits? limits = null)
    {
        var node = JsonSyntax.Parse(json, (limits ?? BrokerJsonReadLimits.Default).MaxDepth);
        if (node.Kind != JsonNodeKind.Array)
        {
            throw new BrokerDecodeException("first message must contain a filter");
        }

        var items = node.Items!;
        var result = new string[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            result[i] = BrokerJsonReader.Text(items[i]) ?? throw new BrokerDecodeException("first message must contain a filter");
        }

        return result;
    }

    /// <summary>Reads a frame sent by a Broker or Zeek WebSocket server: an ACK, a data message or an error.</summary>
    /// <param name="json">UTF-8 JSON.</param>
    /// <param name="limits">Input limits.</param>
    /// <returns>The frame.</returns>
    /// <exception cref="BrokerDecodeException">Malformed JSON, an unknown frame type or invalid data.</exception>
    public static BrokerJsonFrame ReadServerFrame(ReadOnlySpan<byte> json, BrokerJsonReadLimits? limits = null)
    {
        var node = JsonSyntax.Parse(json, (limits ?? BrokerJsonReadLimits.Default).MaxDepth);
        if (node.Kind != JsonNodeKind.Object)
        {
            throw new BrokerDecodeException(BrokerJsonReader.ExpectedObject);
        }

        string? type = BrokerJsonReader.Text(node.Get("type"u8));
        switch (type)
        {
            case "data-message":
                return new BrokerJsonFrame(BrokerJsonFrameKind.DataMessage, BrokerJsonReader.Text(node.Get("topic"u8)) ?? throw new BrokerDecodeException("data message without a topic"),
                    BrokerJsonReader.ToData(node), null, null);
            case "ack":
                return new BrokerJsonFrame(BrokerJsonFrameKind.Ack, null, default, BrokerJsonReader.Text(node.Get("endpoint"u8)), BrokerJsonReader.Text(node.Get("version"u8)));
            case "error":
                // Zeek briefly used "message" instead of "context" (zeek/zeek#4596): accept both.
                return new BrokerJsonFrame(BrokerJsonFrameKind.Error, null, default, BrokerJsonReader.Text(node.Get("code"u8)),
                    BrokerJsonReader.Text(node.Get("context"u8)) ?? BrokerJsonReader.Text(node.Get("message"u8)));
            default:
                throw new BrokerDecodeException($"unknown frame type '{type}'");
        }
    }
}

/// <summary>The kind of a frame a WebSocket server sends.</summary>
public enum BrokerJsonFrameKind
{
    /// <summary>The handshake ACK.</summary>
    Ack,
    /// <summary>A data message.</summary>
    DataMessage,
    /// <summary>An error message.</summary>
    Error,
}

/// <summary>A frame read from a WebSocket server.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Topic">Data message: the topic.</param>
/// <param name="Data">Data message: the value.</param>
/// <param name="First">ACK: the endpoint id; error: the code.</param>
/// <param name="Second">ACK: the version; error: the context.</param>
public readonly record struct BrokerJsonFrame(BrokerJsonFrameKind Kind, string? Topic, BrokerData Data, string? First, string? Second);
