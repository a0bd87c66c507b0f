using System.Buffers.Binary;

namespace Broker;

/// <summary>
/// A Broker endpoint id: 16 UUID bytes in the order of the UUID's text form. Endpoints compare by these bytes
/// (memcmp) to decide which side of a handshake is the originator.
/// </summary>
public readonly struct EndpointId : IEquatable<EndpointId>, IComparable<EndpointId>
{
    private readonly ulong _hi;
    private readonly ulong _lo;

    private EndpointId(ulong hi, ulong lo)
    {
        _hi = hi;
        _lo = lo;
    }

    /// <summary>The all-zero id Broker uses for "nil" (broadcast receiver, or a local sender).</summary>
    public static EndpointId Nil => default;

    /// <summary>True for the all-zero id.</summary>
    public bool IsNil => _hi == 0 && _lo == 0;

    /// <summary>A new random (version 4) id.</summary>
    /// <returns>The id.</returns>
    public static EndpointId NewId() => FromGuid(Guid.NewGuid());

    /// <summary>Reads 16 bytes in UUID text order.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The id.</returns>
    public static EndpointId FromBytes(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..16]));

    /// <summary>Converts a <see cref="Guid"/>, keeping its text form.</summary>
    /// <param name="guid">The guid.</param>
    /// <returns>The id.</returns>
    public static EndpointId FromGuid(Guid guid)
    {
        Span<byte> bytes = stackalloc byte[16];
        guid.TryWriteBytes(bytes, bigEndian: true, out _);
        return FromBytes(bytes);
    }

    /// <summary>Parses the UUID text form.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The id.</returns>
    public static EndpointId Parse(string text) => FromGuid(Guid.Parse(text));

    /// <summary>Writes the 16 bytes in UUID text order.</summary>
    /// <param name="destination">At least 16 bytes.</param>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _hi);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _lo);
    }

    /// <summary>The id as a <see cref="Guid"/> with the same text form.</summary>
    /// <returns>The guid.</returns>
    public Guid ToGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        WriteTo(bytes);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>Compares the 16 bytes as memcmp does.</summary>
    /// <param name="other">The other id.</param>
    /// <returns>Negative, zero or positive.</returns>
    public int CompareTo(EndpointId other)
    {
        int c = _hi.CompareTo(other._hi);
        return c != 0 ? c : _lo.CompareTo(other._lo);
    }

    /// <inheritdoc />
    public bool Equals(EndpointId other) => _hi == other._hi && _lo == other._lo;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is EndpointId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_hi, _lo);

    /// <summary>The UUID text form, e.g. <c>0d952a54-03df-50da-99f2-04ff7dd0f526</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => ToGuid().ToString();

    /// <summary>Equality.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(EndpointId left, EndpointId right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(EndpointId left, EndpointId right) => !left.Equals(right);

    /// <summary>memcmp order.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    /// <returns>True when left is smaller.</returns>
    public static bool operator <(EndpointId left, EndpointId right) => left.CompareTo(right) < 0;

    /// <summary>memcmp order.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    /// <returns>True when left is larger.</returns>
    public static bool operator >(EndpointId left, EndpointId right) => left.CompareTo(right) > 0;

    /// <summary>memcmp order.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    /// <returns>True when left is not larger.</returns>
    public static bool operator <=(EndpointId left, EndpointId right) => left.CompareTo(right) <= 0;

    /// <summary>memcmp order.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    /// <returns>True when left is not smaller.</returns>
    public static bool operator >=(EndpointId left, EndpointId right) => left.CompareTo(right) >= 0;
}
