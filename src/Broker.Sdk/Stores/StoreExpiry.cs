namespace Broker.Stores;

/// <summary>How an entry's expiry deadline is computed.</summary>
public enum StoreExpiryKind : byte
{
    /// <summary>An absolute point in time.</summary>
    Absolute = 1,
    /// <summary>A span from the moment the master applies the mutation (Broker 1.x/2.x semantics).</summary>
    After = 2,
    /// <summary>A span since the last modification: every later change of the entry pushes the deadline out (seed semantics).</summary>
    SinceLastModification = 3,
}

/// <summary>
/// The expiry of a store entry. Deadlines are computed by the master with its store clock
/// (<see cref="StoreOptions.TimeProvider"/>), so tests can drive time instead of sleeping.
/// </summary>
public readonly record struct StoreExpiry
{
    private StoreExpiry(StoreExpiryKind kind, long nanoseconds)
    {
        Kind = kind;
        Nanoseconds = nanoseconds;
    }

    /// <summary>The form of expiry.</summary>
    public StoreExpiryKind Kind { get; }

    /// <summary>Nanoseconds since the Unix epoch (absolute) or the span in nanoseconds (relative forms).</summary>
    public long Nanoseconds { get; }

    /// <summary>Expires at an absolute time.</summary>
    /// <param name="time">The deadline.</param>
    /// <returns>The expiry.</returns>
    public static StoreExpiry At(DateTimeOffset time) =>
        new(StoreExpiryKind.Absolute, (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100);

    /// <summary>Expires a span after the master applies the mutation.</summary>
    /// <param name="span">The span (positive).</param>
    /// <returns>The expiry.</returns>
    public static StoreExpiry After(TimeSpan span) => new(StoreExpiryKind.After, CheckSpan(span));

    /// <summary>Expires a span after the entry's last modification; every change pushes the deadline out.</summary>
    /// <param name="span">The span (positive).</param>
    /// <returns>The expiry.</returns>
    public static StoreExpiry SinceLastModification(TimeSpan span) =>
        new(StoreExpiryKind.SinceLastModification, CheckSpan(span));

    internal static StoreExpiry FromWire(StoreExpiryKind kind, long nanoseconds) => new(kind, nanoseconds);

    /// <summary>The deadline in ns since the epoch when applied at <paramref name="nowNs"/>.</summary>
    internal long DeadlineAt(long nowNs) => Kind == StoreExpiryKind.Absolute ? Nanoseconds : SaturatingAdd(nowNs, Nanoseconds);

    internal static long SaturatingAdd(long a, long b)
    {
        long r = unchecked(a + b);
        return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? long.MinValue : long.MaxValue) : r;
    }

    private static long CheckSpan(TimeSpan span)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(span, TimeSpan.Zero);
        return span.Ticks > long.MaxValue / 100 ? long.MaxValue : span.Ticks * 100;
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        StoreExpiryKind.Absolute => $"at {DateTimeOffset.UnixEpoch.AddTicks(Nanoseconds / 100):O}",
        StoreExpiryKind.After => $"after {TimeSpan.FromTicks(Nanoseconds / 100)}",
        _ => $"{TimeSpan.FromTicks(Nanoseconds / 100)} since last modification",
    };
}
