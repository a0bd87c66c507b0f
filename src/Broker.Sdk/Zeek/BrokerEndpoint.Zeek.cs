using System.Collections.Immutable;
using Broker.Data;
using Broker.Zeek;

namespace Broker;

/// <content>Zeek conveniences: events, prints and remote logging (the seed's API).</content>
public sealed partial class BrokerEndpoint
{
    private volatile ImmutableHashSet<string> _remoteLogStreams = ImmutableHashSet.Create<string>(StringComparer.Ordinal);
    private volatile bool _remoteLogsForAll;

    /// <summary>Publishes a Zeek event (modern format <c>[1, 1, [name, args, metadata?]]</c>).</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="zeekEvent">The event.</param>
    /// <param name="flags">Delivery flags.</param>
    public void PublishEvent([TopicParameter(TopicUsage.Publish)] string topic, ZeekEvent zeekEvent, SendFlags flags = SendFlags.Default)
    {
        ArgumentNullException.ThrowIfNull(zeekEvent);
        Publish(topic, zeekEvent.ToData(), flags);
    }

    /// <summary>Publishes a print message (the seed's <c>Broker::send_print</c>: the vector <c>[message]</c>).</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="message">The text.</param>
    /// <param name="flags">Delivery flags.</param>
    public void PublishPrint([TopicParameter(TopicUsage.Publish)] string topic, string message, SendFlags flags = SendFlags.Default) =>
        Publish(topic, ZeekMessages.Print(message), flags);

    /// <summary>Turns on remote logging for one stream (the seed's <c>Broker::enable_remote_logs(id)</c>).</summary>
    /// <param name="streamId">The stream id, e.g. <c>Conn::LOG</c>.</param>
    public void EnableRemoteLogs(string streamId)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        _remoteLogStreams = _remoteLogStreams.Add(streamId);
    }

    /// <summary>Turns on remote logging for every stream.</summary>
    public void EnableRemoteLogs() => _remoteLogsForAll = true;

    /// <summary>Turns off remote logging for one stream (streams enabled for all stay on until <see cref="DisableRemoteLogs()"/>).</summary>
    /// <param name="streamId">The stream id.</param>
    public void DisableRemoteLogs(string streamId) => _remoteLogStreams = _remoteLogStreams.Remove(streamId);

    /// <summary>Turns off remote logging for every stream, including per-stream switches.</summary>
    public void DisableRemoteLogs()
    {
        _remoteLogsForAll = false;
        _remoteLogStreams = _remoteLogStreams.Clear();
    }

    /// <summary>True when entries of <paramref name="streamId"/> are sent to peers.</summary>
    /// <param name="streamId">The stream id.</param>
    /// <returns>True when remote logging is on for the stream.</returns>
    public bool RemoteLogsEnabled(string streamId) => _remoteLogsForAll || _remoteLogStreams.Contains(streamId);

    /// <summary>
    /// Publishes a log entry <c>[stream enum, record]</c> on <c>bro/log/&lt;stream&gt;</c> when remote logging is on
    /// for the stream.
    /// </summary>
    /// <param name="streamId">The stream id.</param>
    /// <param name="fields">The record's field values in column order.</param>
    /// <param name="flags">Delivery flags.</param>
    /// <returns>True when the entry was published; false when remote logging is off for the stream.</returns>
    public bool PublishLog(string streamId, ImmutableArray<BrokerData> fields, SendFlags flags = SendFlags.Default)
    {
        if (!RemoteLogsEnabled(streamId))
        {
            return false;
        }

        Publish(ZeekMessages.LogTopic(streamId), ZeekMessages.Log(streamId, fields), flags);
        return true;
    }
}
