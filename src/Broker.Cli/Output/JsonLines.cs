using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Broker.Data;
using Broker.Errors;
using Broker.Serialization.Json;
using Broker.Zeek;

namespace Broker.Cli.Output;

/// <summary>
/// Writes the documented stdout format: one compact JSON object per line (docs/cli.md, "Output"). Message lines carry
/// <c>kind</c>, <c>topic</c>, the decoded Zeek fields of events and logs, and always the full value in the JSON v1
/// encoding (<c>@data-type</c>, <c>data</c>), so a line is itself a valid Broker data message value. Thread-safe;
/// every line is flushed at once because a reader may be waiting for it.
/// </summary>
internal sealed class JsonLines(Stream output, BrokerJsonOptions json)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Lock _gate = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    /// <summary>Prints a received message as a data, event or log line.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="data">The value.</param>
    public void Message(string topic, in BrokerData data)
    {
        var value = Classify(topic, data);
        lock (_gate)
        {
            _buffer.ResetWrittenCount();
            using (var w = new Utf8JsonWriter(_buffer, WriterOptions))
            {
                w.WriteStartObject();
                w.WriteString("kind", value.Kind);
                w.WriteString("topic", topic);
                switch (value.Kind)
                {
                    case "event":
                        w.WriteString("name", value.Event!.Name);
                        w.WritePropertyName("args");
                        w.WriteStartArray();
                        foreach (var arg in value.Event.Arguments)
                        {
                            w.WriteRawValue(ValueBytes(arg), skipInputValidation: true);
                        }

                        w.WriteEndArray();
                        break;
                    case "log":
                        w.WriteString("log", value.LogKind);
                        if (value.Stream is not null) w.WriteString("stream", value.Stream);
                        if (value.Writer is not null) w.WriteString("writer", value.Writer);
                        if (value.Path is not null) w.WriteString("path", value.Path);
                        break;
                }

                // Placeholder end: the value object's members are spliced in below.
                w.Flush();
            }

            AppendValueMembers(data);
            Emit();
        }
    }

    /// <summary>Prints a status or error event of the endpoint.</summary>
    /// <param name="e">The event.</param>
    public void Event(EndpointEvent e)
    {
        lock (_gate)
        {
            _buffer.ResetWrittenCount();
            using (var w = new Utf8JsonWriter(_buffer, WriterOptions))
            {
                w.WriteStartObject();
                if (e is StatusEvent s)
                {
                    w.WriteString("kind", "status");
                    w.WriteString("code", StatusName(s.Code));
                }
                else
                {
                    w.WriteString("kind", "error");
                    w.WriteString("code", ((ErrorEvent)e).Code.Name());
                }

                w.WriteString("message", e.Message);
                if (e.Peer is { } p)
                {
                    w.WritePropertyName("peer");
                    w.WriteStartObject();
                    w.WriteString("id", p.Id.ToString());
                    w.WriteString("name", p.Name);
                    if (p.Address is not null) w.WriteString("address", p.Address);
                    w.WriteNumber("port", p.Port);
                    w.WriteString("direction", p.Direction == PeerDirection.Inbound ? "inbound" : "outbound");
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            Emit();
        }
    }

    /// <summary>Prints the node's <c>listening</c> status line for one listener.</summary>
    /// <param name="protocol"><c>native</c> or <c>websocket</c>.</param>
    /// <param name="address">The bound address.</param>
    /// <param name="port">The bound port.</param>
    /// <param name="endpointId">The node's endpoint id.</param>
    /// <param name="endpointName">The node's name.</param>
    public void Listening(string protocol, string address, int port, EndpointId endpointId, string endpointName)
    {
        lock (_gate)
        {
            _buffer.ResetWrittenCount();
            using (var w = new Utf8JsonWriter(_buffer, WriterOptions))
            {
                w.WriteStartObject();
                w.WriteString("kind", "status");
                w.WriteString("code", "listening");
                w.WriteString("message", $"listening for {protocol} peers");
                w.WriteString("protocol", protocol);
                w.WriteString("address", address);
                w.WriteNumber("port", port);
                w.WriteString("endpoint", endpointId.ToString());
                w.WriteString("name", endpointName);
                w.WriteEndObject();
            }

            Emit();
        }
    }

    /// <summary>Prints a bare JSON v1 value object (store results).</summary>
    /// <param name="data">The value.</param>
    public void Value(in BrokerData data)
    {
        lock (_gate)
        {
            _buffer.ResetWrittenCount();
            BrokerJson.WriteValue(_buffer, data, json);
            Emit();
        }
    }

    /// <summary>Broker's snake_case name of a status code.</summary>
    /// <param name="code">The code.</param>
    /// <returns>The name.</returns>
    public static string StatusName(StatusCode code) => code switch
    {
        StatusCode.PeerAdded => "peer_added",
        StatusCode.PeerRemoved => "peer_removed",
        StatusCode.PeerLost => "peer_lost",
        StatusCode.EndpointDiscovered => "endpoint_discovered",
        StatusCode.EndpointUnreachable => "endpoint_unreachable",
        _ => "unspecified",
    };

    private byte[] ValueBytes(in BrokerData data)
    {
        var buffer = new ArrayBufferWriter<byte>();
        BrokerJson.WriteValue(buffer, data, json);
        return buffer.WrittenSpan.ToArray();
    }

    // The writer left "{...fields" open; append ',' and the value object's members without its own '{'.
    private void AppendValueMembers(in BrokerData data)
    {
        var value = new ArrayBufferWriter<byte>(256);
        BrokerJson.WriteValue(value, data, json);
        var members = value.WrittenSpan[1..];
        var dest = _buffer.GetSpan(members.Length + 1);
        dest[0] = (byte)',';
        members.CopyTo(dest[1..]);
        _buffer.Advance(members.Length + 1);
    }

    private void Emit()
    {
        var span = _buffer.GetSpan(1);
        span[0] = (byte)'\n';
        _buffer.Advance(1);
        output.Write(_buffer.WrittenSpan);
        output.Flush();
    }

    private static Classified Classify(string topic, in BrokerData data)
    {
        if (data.Kind != BrokerDataKind.Vector)
        {
            return new Classified("data");
        }

        var v = data.AsVector();
        // Modern Zeek messages: [1, type, content].
        if (v.Length == 3 && v[0].Kind == BrokerDataKind.Count && v[0].AsCount() == ZeekEvent.FormatVersion &&
            v[1].Kind == BrokerDataKind.Count && v[2].Kind == BrokerDataKind.Vector)
        {
            ulong type = v[1].AsCount();
            if (type == ZeekEvent.EventMessageType && ZeekEvent.TryDecode(data, out var ev))
            {
                return new Classified("event") { Event = ev };
            }

            var content = v[2].AsVector();
            if ((type == 2 || type == 3) && content.Length == 4)
            {
                return new Classified("log")
                {
                    LogKind = type == 2 ? "create" : "write",
                    Stream = EnumName(content[0]),
                    Writer = EnumName(content[1]),
                    Path = type == 3 && content[2].Kind == BrokerDataKind.String ? content[2].AsString() : null,
                };
            }

            return new Classified("data");
        }

        // The seed's log form on bro/log/<stream>: [stream:enum, columns:record].
        if (topic.StartsWith("bro/log/", StringComparison.Ordinal) && v.Length == 2 && v[0].Kind == BrokerDataKind.EnumValue)
        {
            return new Classified("log") { LogKind = "write", Stream = v[0].AsEnumName() };
        }

        return new Classified("data");
    }

    private static string? EnumName(in BrokerData d) => d.Kind == BrokerDataKind.EnumValue ? d.AsEnumName() : null;

    private sealed record Classified(string Kind)
    {
        public ZeekEvent? Event { get; init; }
        public string? LogKind { get; init; }
        public string? Stream { get; init; }
        public string? Writer { get; init; }
        public string? Path { get; init; }
    }
}
