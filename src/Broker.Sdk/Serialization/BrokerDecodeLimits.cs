namespace Broker.Serialization;

/// <summary>
/// Bounds a decoder enforces on untrusted input, before it allocates anything they guard. Independently of
/// these, a collection count or string length larger than the remaining input is always rejected, so a decoder
/// never allocates more than the input can justify.
/// </summary>
public sealed record BrokerDecodeLimits
{
    /// <summary>The defaults: depth 64, 1,048,576 elements per collection, 16 MiB per string.</summary>
    public static BrokerDecodeLimits Default { get; } = new();

    /// <summary>The deepest nesting of containers accepted (default 64).</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>The most elements (or table entries) accepted in one container (default 1,048,576).</summary>
    public int MaxCollectionCount { get; init; } = 1 << 20;

    /// <summary>The longest string or enum name accepted, in bytes (default 16 MiB).</summary>
    public int MaxStringBytes { get; init; } = 16 << 20;
}
