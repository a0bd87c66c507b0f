using System.Collections.Immutable;
using Broker.Data;

namespace Broker.Zeek;

/// <summary>
/// The seed's (Bro 2.4/2.5) print and log messages: a print is the vector <c>[message]</c>; a log entry is
/// <c>[stream enum, [field values...]]</c> published on <c>bro/log/&lt;stream&gt;</c> (spec §3.1).
/// </summary>
public static class ZeekMessages
{
    /// <summary>The topic prefix of remote log entries.</summary>
    public const string LogTopicPrefix = "bro/log/";

    /// <summary>Encodes a print message.</summary>
    /// <param name="message">The text.</param>
    /// <returns>The value to publish.</returns>
    public static BrokerData Print(string message) => BrokerData.Vector(BrokerData.String(message));

    /// <summary>Decodes a print message; false (never an exception) for anything else.</summary>
    /// <param name="data">The received value.</param>
    /// <param name="message">The text.</param>
    /// <returns>True for a print message.</returns>
    public static bool TryDecodePrint(in BrokerData data, out string message)
    {
        message = "";
        if (data.Kind != BrokerDataKind.Vector || data.Length != 1 || data[0].Kind != BrokerDataKind.String)
        {
            return false;
        }

        message = data[0].AsString();
        return true;
    }

    /// <summary>The topic a stream's entries go to, e.g. <c>bro/log/Conn::LOG</c>.</summary>
    /// <param name="streamId">The stream id (an enum name such as <c>Conn::LOG</c>).</param>
    /// <returns>The topic.</returns>
    public static string LogTopic(string streamId) => LogTopicPrefix + streamId;

    /// <summary>Encodes a log entry: <c>[stream enum, record]</c>.</summary>
    /// <param name="streamId">The stream id.</param>
    /// <param name="fields">The record's field values, in column order.</param>
    /// <returns>The value to publish.</returns>
    public static BrokerData Log(string streamId, ImmutableArray<BrokerData> fields) =>
        BrokerData.Vector(BrokerData.EnumValue(streamId), BrokerData.Vector(fields));

    /// <summary>Decodes a log entry; false (never an exception) for anything else.</summary>
    /// <param name="data">The received value.</param>
    /// <param name="streamId">The stream id.</param>
    /// <param name="fields">The record's field values.</param>
    /// <returns>True for a log entry.</returns>
    public static bool TryDecodeLog(in BrokerData data, out string streamId, out ImmutableArray<BrokerData> fields)
    {
        streamId = "";
        fields = ImmutableArray<BrokerData>.Empty;
        if (data.Kind != BrokerDataKind.Vector || data.Length != 2 || data[0].Kind != BrokerDataKind.EnumValue || data[1].Kind != BrokerDataKind.Vector)
        {
            return false;
        }

        streamId = data[0].AsEnumName();
        fields = data[1].AsVector();
        return true;
    }
}
