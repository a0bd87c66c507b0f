using Broker.Data;

namespace Broker.Stores.Engine;

/// <summary>Every operation a master executes. The numbers travel in the SDK's request extension; keep them stable.</summary>
internal enum StoreOp : byte
{
    // Modern mutators (Broker 1.x/2.x).
    Put = 1,
    PutUnique = 2,
    Erase = 3,
    Clear = 4,
    /// <summary>Broker's <c>add</c> (increment, append, insert_into, push); Arg carries init_type as a count.</summary>
    Add = 5,
    /// <summary>Broker's <c>subtract</c> (decrement, remove_from, pop).</summary>
    Subtract = 6,

    // Seed-era mutators (Broker 0.6 / Bro 2.5).
    AddToSet = 10,
    RemoveFromSet = 11,
    PushLeft = 12,
    PushRight = 13,
    PopLeft = 14,
    PopRight = 15,
    SeedIncrement = 16,

    // Queries.
    Get = 32,
    Exists = 33,
    Keys = 34,
    Size = 35,
    Snapshot = 36,
    GetIndex = 37,
}

/// <summary>One operation with its operands.</summary>
/// <param name="Op">The operation.</param>
/// <param name="Key">The key (None for clear/keys/size/snapshot).</param>
/// <param name="Value">The value or amount.</param>
/// <param name="Arg">Extra operand: the index for get_index, the init type for add.</param>
/// <param name="Expiry">The expiry, if any.</param>
internal readonly record struct StoreRequest(StoreOp Op, BrokerData Key, BrokerData Value = default, BrokerData Arg = default, StoreExpiry? Expiry = null)
{
    public static string Name(StoreOp op) => op switch
    {
        StoreOp.Put => "put",
        StoreOp.PutUnique => "put_unique",
        StoreOp.Erase => "erase",
        StoreOp.Clear => "clear",
        StoreOp.Add => "add",
        StoreOp.Subtract => "subtract",
        StoreOp.AddToSet => "add_to_set",
        StoreOp.RemoveFromSet => "remove_from_set",
        StoreOp.PushLeft => "push_left",
        StoreOp.PushRight => "push_right",
        StoreOp.PopLeft => "pop_left",
        StoreOp.PopRight => "pop_right",
        StoreOp.SeedIncrement => "increment",
        StoreOp.Get => "get",
        StoreOp.Exists => "exists",
        StoreOp.Keys => "keys",
        StoreOp.Size => "size",
        StoreOp.Snapshot => "snapshot",
        StoreOp.GetIndex => "get_index_from_value",
        _ => op.ToString(),
    };

    public static bool IsQuery(StoreOp op) => op >= StoreOp.Get;
}

/// <summary>The master's verdict: a code (None = success), a result value and, on failure, a message.</summary>
internal readonly record struct StoreResult(Errors.BrokerErrorCode Code, BrokerData Value, string? Message = null)
{
    public static StoreResult Ok(BrokerData value = default) => new(Errors.BrokerErrorCode.None, value);

    public static StoreResult Fail(Errors.BrokerErrorCode code, string message) => new(code, default, message);

    public bool IsSuccess => Code == Errors.BrokerErrorCode.None;
}
