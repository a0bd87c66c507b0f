using Broker.Data;
using Broker.Errors;

namespace Broker.Typed;

/// <summary>The identity of a typed log stream, generated from <see cref="LogStreamAttribute"/>.</summary>
/// <param name="Id">The Zeek stream id, e.g. <c>Test::LOG</c>.</param>
/// <param name="Path">The log path (Zeek's <c>$path</c>), if declared.</param>
/// <param name="TopicPrefix">The topic prefix, e.g. <c>bro/log/</c>.</param>
public sealed record LogStreamInfo(string Id, string? Path, string TopicPrefix)
{
    /// <summary>The topic log writes are published on: <see cref="TopicPrefix"/> + <see cref="Id"/>.</summary>
    public string Topic { get; } = TopicPrefix + Id;
}

/// <summary>
/// Writes records of one log stream to peers (Zeek's remote logging for that stream): each write publishes
/// <c>[stream enum_value, record vector]</c> on <see cref="LogStreamInfo.Topic"/>.
/// </summary>
/// <typeparam name="TRecord">The record type.</typeparam>
public sealed class LogWriter<TRecord>
{
    private readonly IBrokerPublisher _publisher;
    private readonly Func<TRecord, BrokerData> _encode;
    private readonly BrokerData _streamId;

    /// <summary>Creates a writer (called by generated code).</summary>
    /// <param name="publisher">The endpoint (or WebSocket client) to publish through.</param>
    /// <param name="stream">The stream.</param>
    /// <param name="encode">The generated record encoder.</param>
    public LogWriter(IBrokerPublisher publisher, LogStreamInfo stream, Func<TRecord, BrokerData> encode)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(encode);
        _publisher = publisher;
        Stream = stream;
        _encode = encode;
        _streamId = BrokerData.EnumValue(stream.Id);
    }

    /// <summary>The stream written to.</summary>
    public LogStreamInfo Stream { get; }

    /// <summary>Publishes one log record.</summary>
    /// <param name="record">The record.</param>
    public void Write(TRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _publisher.Publish(Stream.Topic, ToMessage(record));
    }

    /// <summary>The Broker message a write publishes.</summary>
    /// <param name="record">The record.</param>
    /// <returns><c>[stream enum_value, record vector]</c>.</returns>
    public BrokerData ToMessage(TRecord record) => BrokerData.Vector(_streamId, _encode(record));
}

/// <summary>
/// Receives the records of one log stream as an async stream. Messages that are not log writes of this stream's
/// shape, or whose record does not convert, are skipped and reported as <see cref="ErrorEvent"/>s (see
/// <see cref="TypedSubscriptionOptions.OnError"/>); records of other streams under the same topic are ignored.
/// </summary>
/// <typeparam name="TRecord">The record type.</typeparam>
public sealed class LogSubscription<TRecord> : IAsyncEnumerable<TRecord>, IAsyncDisposable
{
    private readonly BrokerEndpoint _endpoint;
    private readonly BrokerSubscription _subscription;
    private readonly Func<BrokerData, TRecord> _decode;
    private readonly Action<ErrorEvent>? _onError;
    private long _errors;

    /// <summary>Subscribes (called by generated code).</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="stream">The stream.</param>
    /// <param name="decode">The generated record decoder.</param>
    /// <param name="options">Queue options and an error callback.</param>
    public LogSubscription(BrokerEndpoint endpoint, LogStreamInfo stream, Func<BrokerData, TRecord> decode, TypedSubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(decode);
        _endpoint = endpoint;
        Stream = stream;
        _decode = decode;
        _onError = options?.OnError;
        _subscription = endpoint.Subscribe(stream.Topic, options?.Subscriber);
    }

    /// <summary>The stream received.</summary>
    public LogStreamInfo Stream { get; }

    /// <summary>Messages skipped because they were malformed or did not convert.</summary>
    public long ErrorCount => Interlocked.Read(ref _errors);

    /// <summary>Decodes one log message; false (with an error reported) when it is not a valid write of this stream.</summary>
    /// <param name="message">The received message.</param>
    /// <param name="record">The record.</param>
    /// <returns>True for a record of this stream.</returns>
    internal bool TryDecode(in BrokerMessage message, out TRecord? record)
    {
        record = default;
        var data = message.Data;
        if (data.Kind != BrokerDataKind.Vector || data.Length != 2 || data[0].Kind != BrokerDataKind.EnumValue)
        {
            Fail(BrokerErrorCode.InvalidMessage, $"Message on '{message.Topic}' is not a log write [stream, record] of {Stream.Id}.");
            return false;
        }

        if (data[0].AsEnumName() != Stream.Id)
        {
            return false; // Another stream whose id shares our topic prefix.
        }

        try
        {
            record = _decode(data[1]);
            return true;
        }
        catch (Exception ex) when (ex is BrokerException or ArgumentException or OverflowException)
        {
            Fail(BrokerErrorCode.TypeClash, $"Log stream {Stream.Id}: {ex.Message}");
            return false;
        }
    }

    private void Fail(BrokerErrorCode code, string message)
    {
        Interlocked.Increment(ref _errors);
        TypedErrors.Report(_endpoint, _onError, new ErrorEvent(code, null, message));
    }

    /// <inheritdoc />
    public async IAsyncEnumerator<TRecord> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        await foreach (var message in _subscription.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (TryDecode(message, out var record))
            {
                yield return record!;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _subscription.DisposeAsync();
}
