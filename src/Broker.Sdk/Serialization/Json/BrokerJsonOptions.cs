namespace Broker.Serialization.Json;

/// <summary>How <see cref="BrokerJson"/> writes values.</summary>
public sealed record BrokerJsonOptions
{
    /// <summary>Broker's own format (six-decimal reals, millisecond timestamps) in valid JSON.</summary>
    public static BrokerJsonOptions Default { get; } = new();

    /// <summary>
    /// Full precision for peers that want it: reals in the shortest round-trip form (always with a fraction or an
    /// exponent, so Broker still reads them as reals) and timestamps with nine fractional digits. Broker and Zeek
    /// accept both on input. Default false (Broker's exact output).
    /// </summary>
    public bool FullPrecision { get; init; }

    /// <summary>
    /// Emit Broker's bytes even where they are not valid JSON: bare <c>nan</c>/<c>inf</c>/<c>-inf</c>, the
    /// <c>\v</c> escape, raw control characters and raw non-UTF-8 string bytes. Default false: those become
    /// <c>"nan"</c>/<c>"inf"</c>/<c>"-inf"</c> strings, <c>\u000b</c>-style escapes and U+FFFD (see docs/websocket.md).
    /// </summary>
    public bool BrokerInvalidJson { get; init; }
}

/// <summary>Bounds on JSON input from the network.</summary>
public sealed record BrokerJsonReadLimits
{
    /// <summary>The defaults: 128 levels of JSON nesting.</summary>
    public static BrokerJsonReadLimits Default { get; } = new();

    /// <summary>The deepest nesting of JSON arrays and objects accepted (default 128; each Broker container uses two levels).</summary>
    public int MaxDepth { get; init; } = 128;
}
