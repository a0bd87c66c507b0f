namespace Broker.Serialization;

/// <summary>
/// Bounds a decoder enforces on untrusted input, before it allocates anything they guard. Independently of
/// these, a collection count or string length larger than the remaining input is always rejected, so a decoder
/// never allocates more than the input can justify (a small constant multiple of the input size).
/// </summary>
public sealed record BrokerDecodeLimits
{
    private readonly int _maxDepth = 64;
    private readonly int _maxCollectionCount = 1 << 20;
    private readonly int _maxStringBytes = 16 << 20;

    /// <summary>The defaults: depth 64, 1,048,576 elements per collection, 16 MiB per string.</summary>
    public static BrokerDecodeLimits Default { get; } = new();

    /// <summary>The deepest nesting of containers accepted (default 64; 0 accepts no container at all).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxDepth
    {
        get => _maxDepth;
        init => _maxDepth = NotNegative(value);
    }

    /// <summary>The most elements (or table entries) accepted in one container (default 1,048,576).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxCollectionCount
    {
        get => _maxCollectionCount;
        init => _maxCollectionCount = NotNegative(value);
    }

    /// <summary>The longest string or enum name accepted, in bytes (default 16 MiB).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxStringBytes
    {
        get => _maxStringBytes;
        init => _maxStringBytes = NotNegative(value);
    }

    private static int NotNegative(int value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value, name);
        return value;
    }
}
