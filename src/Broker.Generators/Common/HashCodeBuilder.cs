using System.Collections.Generic;

namespace Broker.Generators.Common;

/// <summary>A minimal order-sensitive hash combiner (netstandard2.0 has no <c>System.HashCode</c>).</summary>
internal struct HashCodeBuilder
{
    private int _hash;

    public void Add<T>(T value)
    {
        unchecked
        {
            _hash = (_hash * 31) + (value is null ? 0 : EqualityComparer<T>.Default.GetHashCode(value));
        }
    }

    public readonly int ToHashCode() => _hash;
}
