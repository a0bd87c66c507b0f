using Broker.Data;

namespace Broker.Stores.Wire;

/// <summary>Variant indices of Broker's <c>internal_command</c> (spec §7) plus the SDK's extensions (64 and up).</summary>
internal enum CommandKind : byte
{
    Put = 0,
    PutUnique = 1,
    PutUniqueResult = 2,
    Erase = 3,
    Expire = 4,
    Add = 5,
    Subtract = 6,
    Clear = 7,
    AttachWriter = 8,
    Keepalive = 9,
    CumulativeAck = 10,
    Nack = 11,
    AckClone = 12,
    RetransmitFailed = 13,

    /// <summary>SDK extension: a request that a handle wants answered (frontend queries, awaitable mutations, seed ops).</summary>
    SdkRequest = 64,

    /// <summary>SDK extension: the master's answer to <see cref="SdkRequest"/>.</summary>
    SdkResponse = 65,
}

/// <summary>A parsed <c>internal_command</c>: header plus one variant.</summary>
/// <param name="Seq">Channel sequence number (0 outside a channel).</param>
/// <param name="Sender">The sending store entity.</param>
/// <param name="Receiver">The receiving store entity, or nil.</param>
/// <param name="Content">The variant.</param>
internal sealed record StoreCommand(ulong Seq, EntityId Sender, EntityId Receiver, CommandContent Content);

/// <summary>One <c>internal_command</c> variant.</summary>
internal abstract record CommandContent
{
    public abstract CommandKind Kind { get; }
}

/// <summary>put(key, value, expiry?, publisher). Expiry is a relative timespan in ns.</summary>
internal sealed record PutCommand(BrokerData Key, BrokerData Value, long? Expiry, EntityId Publisher) : CommandContent
{
    public override CommandKind Kind => CommandKind.Put;
}

/// <summary>put_unique(key, value, expiry?, who, req_id, publisher).</summary>
internal sealed record PutUniqueCommand(BrokerData Key, BrokerData Value, long? Expiry, EntityId Who, ulong RequestId, EntityId Publisher) : CommandContent
{
    public override CommandKind Kind => CommandKind.PutUnique;
}

/// <summary>put_unique_result(inserted, who, req_id, publisher).</summary>
internal sealed record PutUniqueResultCommand(bool Inserted, EntityId Who, ulong RequestId, EntityId Publisher) : CommandContent
{
    public override CommandKind Kind => CommandKind.PutUniqueResult;
}

/// <summary>erase(key, publisher).</summary>
internal sealed record EraseCommand(BrokerData Key, EntityId Publisher) : CommandContent
{
    public override CommandKind Kind => CommandKind.Erase;
}

/// <summary>expire(key, publisher).</summary>
internal sealed record ExpireCommand(BrokerData Key, EntityId Publisher) : CommandContent
{
    public override CommandKind Kind => CommandKind.Expire;
}

/// <summary>add(key, value, init_type, expiry?, publisher).</summary>
internal sealed record AddCommand(BrokerData Key, BrokerData Value, BrokerDataKind InitType, long? Expiry, EntityId Publisher) : CommandContent
{
    public override CommandKind Kind => CommandKind.Add;
}

/// <summary>subtract(key, value, expiry?, publisher).</summary>
internal sealed record SubtractCommand(BrokerData Key, BrokerData Value, long? Expiry, EntityId Publisher) : CommandContent
{
    public override CommandKind Kind => CommandKind.Subtract;
}

/// <summary>clear(publisher).</summary>
internal sealed record ClearCommand(EntityId Publisher) : CommandContent
{
    public override CommandKind Kind => CommandKind.Clear;
}

/// <summary>attach_writer(offset, heartbeat_interval).</summary>
internal sealed record AttachWriterCommand(ulong Offset, ushort HeartbeatInterval) : CommandContent
{
    public override CommandKind Kind => CommandKind.AttachWriter;
}

/// <summary>keepalive(seq).</summary>
internal sealed record KeepaliveCommand(ulong Seq) : CommandContent
{
    public override CommandKind Kind => CommandKind.Keepalive;
}

/// <summary>cumulative_ack(seq).</summary>
internal sealed record CumulativeAckCommand(ulong Seq) : CommandContent
{
    public override CommandKind Kind => CommandKind.CumulativeAck;
}

/// <summary>nack(seqs). nack [0] asks for a full snapshot.</summary>
internal sealed record NackCommand(ulong[] Seqs) : CommandContent
{
    public override CommandKind Kind => CommandKind.Nack;
}

/// <summary>ack_clone(offset, heartbeat_interval, state).</summary>
internal sealed record AckCloneCommand(ulong Offset, ushort HeartbeatInterval, IReadOnlyList<KeyValuePair<BrokerData, BrokerData>> State) : CommandContent
{
    public override CommandKind Kind => CommandKind.AckClone;
}

/// <summary>retransmit_failed(seq).</summary>
internal sealed record RetransmitFailedCommand(ulong Seq) : CommandContent
{
    public override CommandKind Kind => CommandKind.RetransmitFailed;
}

/// <summary>
/// SDK extension: an operation for the master to execute and (when <paramref name="RequestId"/> is not 0) answer.
/// Carries the seed-era operations that Broker's variants cannot express and every frontend query.
/// </summary>
internal sealed record SdkRequestCommand(
    EntityId Who, ulong RequestId, Engine.StoreOp Op, BrokerData Key, BrokerData Value, BrokerData Arg,
    StoreExpiry? Expiry, EntityId Publisher) : CommandContent
{
    public override CommandKind Kind => CommandKind.SdkRequest;
}

/// <summary>SDK extension: the answer to an <see cref="SdkRequestCommand"/>: an error code (0 = success) and a value.</summary>
internal sealed record SdkResponseCommand(EntityId Who, ulong RequestId, Errors.BrokerErrorCode Code, BrokerData Value, string Message) : CommandContent
{
    public override CommandKind Kind => CommandKind.SdkResponse;
}
