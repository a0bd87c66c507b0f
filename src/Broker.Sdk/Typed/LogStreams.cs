using System.Text;
using Broker.Data;
using Broker.Errors;
using Broker.Serialization;

namespace Broker.Typed;

/// <summary>Writes a record straight into Broker's binary format (the generated <c>WriteBroker</c> of a record type).</summary>
/// <typeparam name="T">The record type.</typeparam>
/// <param name="value">The record.</param>
/// <param name="writer">The destination.</param>
public delegate void BrokerRecordWriter<in T>(T value, ref BrokerWriter writer);

/// <summary>
/// Reads a record straight from Broker's binary format (the generated <c>TryReadBroker</c> of a record type),
/// declining (false) whatever the generated <c>FromBrokerData</c> would not read to the same value.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
/// <param name="reader">The source, positioned at the record.</param>
/// <param name="value">The record when true is returned.</param>
/// <returns>True when the record was read.</returns>
public delegate bool BrokerRecordReader<T>(ref BrokerReader reader, out T value);

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
    private readonly BrokerRecordWriter<TRecord>? _write;
    private readonly BrokerData _streamId;
    private readonly byte[] _streamIdUtf8;

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
        _streamIdUtf8 = Encoding.UTF8.GetBytes(stream.Id);
    }

    /// <summary>
    /// Creates a writer that encodes each record straight into the outgoing frame with <paramref name="write"/>
    /// (no <see cref="BrokerData"/> tree), building one with <paramref name="encode"/> only for local subscribers and
    /// transports without a binary path (called by generated code).
    /// </summary>
    /// <param name="publisher">The endpoint (or WebSocket client) to publish through.</param>
    /// <param name="stream">The stream.</param>
    /// <param name="write">The generated record writer; it must write exactly the bytes of <paramref name="encode"/>'s value.</param>
    /// <param name="encode">The generated record encoder.</param>
    public LogWriter(IBrokerPublisher publisher, LogStreamInfo stream, BrokerRecordWriter<TRecord> write, Func<TRecord, BrokerData> encode)
        : this(publisher, stream, encode)
    {
        ArgumentNullException.ThrowIfNull(write);
        _write = write;
    }

    /// <summary>The stream written to.</summary>
    public LogStreamInfo Stream { get; }

    /// <summary>Publishes one log record.</summary>
    /// <param name="record">The record.</param>
    public void Write(TRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (_write is null)
        {
            _publisher.Publish(Stream.Topic, ToMessage(record));
        }
        else
        {
            int encoded = t_encoded;
            _publisher.Publish(Stream.Topic, new Message(this, record));
            if (t_encoded == encoded)
            {
                // Nobody took the write, so it was never encoded. Encode it anyway (into scratch space) so a record
                // that cannot be encoded (a null non-nullable member, an unnamed enum value) throws from every Write,
                // receivers or not, exactly as when every write built a tree.
                var scratch = new BrokerWriter(stackalloc byte[256]);
                new Message(this, record).WriteTo(ref scratch);
            }
        }
    }

    // Writes encoded by this thread (WriteTo or ToBrokerData): Publish encodes on the calling thread, so an unchanged
    // count after Publish means no receiver wanted the write.
    [ThreadStatic]
    private static int t_encoded;

    /// <summary>The Broker message a write publishes.</summary>
    /// <param name="record">The record.</param>
    /// <returns><c>[stream enum_value, record vector]</c>.</returns>
    public BrokerData ToMessage(TRecord record) => BrokerData.Vector(_streamId, _encode(record));

    // One write as a value that writes itself: [enum stream-id, record] straight into the frame.
    private readonly struct Message(LogWriter<TRecord> owner, TRecord record) : IBrokerValue
    {
        public void WriteTo(ref BrokerWriter writer)
        {
            t_encoded++;
            writer.WriteVectorHeader(2);
            writer.WriteEnumValue(owner._streamIdUtf8);
            owner._write!(record, ref writer);
        }

        public BrokerData ToBrokerData()
        {
            t_encoded++;
            return owner.ToMessage(record);
        }
    }
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
    private readonly BrokerRecordReader<TRecord>? _read;
    private readonly byte[] _streamIdUtf8;
    private readonly Action<ErrorEvent>? _onError;
    private long _errors;
    private long _readEncoded;

    /// <summary>Subscribes (called by generated code).</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="stream">The stream.</param>
    /// <param name="decode">The generated record decoder.</param>
    /// <param name="options">Queue options and an error callback.</param>
    public LogSubscription(BrokerEndpoint endpoint, LogStreamInfo stream, Func<BrokerData, TRecord> decode, TypedSubscriptionOptions? options = null)
        : this(endpoint, stream, null, decode, options)
    {
    }

    /// <summary>
    /// Subscribes, reading records that arrive from peers straight from their bytes with <paramref name="read"/> (no
    /// <see cref="BrokerData"/> tree); whatever it declines is decoded and converted with <paramref name="decode"/>,
    /// which also reports mismatches (called by generated code).
    /// </summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="stream">The stream.</param>
    /// <param name="read">The generated record reader, or null to decode every message as a tree.</param>
    /// <param name="decode">The generated record decoder.</param>
    /// <param name="options">Queue options and an error callback.</param>
    public LogSubscription(BrokerEndpoint endpoint, LogStreamInfo stream, BrokerRecordReader<TRecord>? read, Func<BrokerData, TRecord> decode, TypedSubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(decode);
        _endpoint = endpoint;
        Stream = stream;
        _decode = decode;
        _streamIdUtf8 = Encoding.UTF8.GetBytes(stream.Id);

        // Ids are compared as UTF-8 bytes, which is the tree's text comparison only for ids that survive UTF-8.
        _read = Encoding.UTF8.GetString(_streamIdUtf8) == stream.Id ? read : null;
        _onError = options?.OnError;
        _subscription = endpoint.Core.Subscribe(stream.Topic, options?.Subscriber, acceptsEncoded: _read is not null);
    }

    /// <summary>The stream received.</summary>
    public LogStreamInfo Stream { get; }

    /// <summary>Messages skipped because they were malformed or did not convert.</summary>
    public long ErrorCount => Interlocked.Read(ref _errors);

    /// <summary>Records read straight from their bytes (no tree); the rest were decoded and converted as trees.</summary>
    internal long ReadEncodedCount => Interlocked.Read(ref _readEncoded);

    /// <summary>
    /// Reads one encoded log message with the generated reader: true with the record, or true with
    /// <paramref name="skip"/> for another stream's write; false when the reader declines (the caller takes the tree path).
    /// </summary>
    private bool TryReadEncoded(ReadOnlySpan<byte> payload, out TRecord? record, out bool skip)
    {
        record = default;
        skip = false;
        var reader = new BrokerReader(payload);
        if (!reader.TryReadVectorHeader(out int count) || count != 2 || !reader.TryReadEnumValueBytes(out var id))
        {
            return false;
        }

        if (!id.SequenceEqual(_streamIdUtf8))
        {
            // Another stream whose id shares our topic prefix, unless the id is not valid UTF-8 (the tree path
            // compares the decoded text, in which invalid bytes are replaced).
            skip = System.Text.Unicode.Utf8.IsValid(id);
            return skip;
        }

        try
        {
            if (_read!(ref reader, out var value) && reader.Remaining == 0)
            {
                record = value;
                Interlocked.Increment(ref _readEncoded);
                return true;
            }
        }
        catch (Exception)
        {
            // Beyond the default limits the reader decodes with, or a record constructor that threw: the tree path
            // decodes the value without those limits, and reports (or rethrows) exactly what it always has.
        }

        return false;
    }

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
        // One delivery at a time (as BrokerSubscription's enumerator does): a consumer that stops early leaves the
        // rest queued for its next enumeration.
        var next = new Delivery[1];
        while (await _subscription.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_subscription.TryReceiveDeliveries(next) > 0)
            {
                var delivery = next[0];
                next[0] = default; // do not keep the value or its receive block alive
                if (TryReceive(delivery, out var record))
                {
                    yield return record!;
                }
            }
        }
    }

    // One delivery: read from its bytes when it arrived encoded and the generated reader takes it, else decoded
    // and converted as a tree (which reports what is wrong).
    private bool TryReceive(in Delivery delivery, out TRecord? record)
    {
        if (delivery.IsEncoded && _read is not null)
        {
            if (TryReadEncoded(delivery.Payload.Span, out record, out bool skip))
            {
                return !skip;
            }
        }

        return TryDecode(delivery.ToMessage(), out record);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _subscription.DisposeAsync();
}
