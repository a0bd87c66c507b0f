using Broker.Data;
using MessagePack;

namespace Broker.Typed;

// The opt-in MessagePack mapping (DESIGN §2): a [MessagePackObject] type that has no Broker data model shape travels
// as a Broker string whose bytes are the MessagePack serialization (raw bytes, not UTF-8 text). Broker's wire stays
// Broker's; the blob is opaque to Zeek scripts, so it is meant for .NET-to-.NET traffic only.
public static partial class BrokerConvert
{
    // Input comes from the network: UntrustedData bounds depth and uses collision-resistant hashing.
    private static readonly MessagePackSerializerOptions MessagePackOptions =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>
    /// Encodes a <c>[MessagePackObject]</c> value as a Broker string holding its MessagePack serialization.
    /// </summary>
    /// <typeparam name="T">The declared type (carries <c>[MessagePackObject]</c>).</typeparam>
    /// <param name="value">The value (not null; nullable members are encoded as nil by the caller).</param>
    /// <returns>A Broker string whose bytes are the MessagePack blob.</returns>
    /// <exception cref="BrokerConversionException">The value cannot be serialized (e.g. a member type has no formatter).</exception>
    public static BrokerData EncodeMessagePack<T>(T value)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value), "A non-nullable member was null; declare it nullable (T?) to send nil.");
        }

        byte[] blob;
        try
        {
            blob = MessagePackSerializer.Serialize(value, MessagePackOptions);
        }
        catch (MessagePackSerializationException ex)
        {
            string type = TypeName(typeof(T));
            throw new BrokerConversionException($"{type} cannot be serialized with MessagePack: {ex.Message}", type, null, type, null, ex);
        }

        return BrokerData.FromStringBytes(blob);
    }

    /// <summary>
    /// Decodes a Broker string holding a MessagePack blob into a <c>[MessagePackObject]</c> value.
    /// </summary>
    /// <typeparam name="T">The declared type (carries <c>[MessagePackObject]</c>).</typeparam>
    /// <param name="data">A Broker string whose bytes are one complete MessagePack value.</param>
    /// <returns>The value.</returns>
    /// <exception cref="BrokerConversionException">
    /// The value is not a string, or its bytes are not exactly one valid MessagePack serialization of <typeparamref name="T"/>.
    /// </exception>
    public static T DecodeMessagePack<T>(BrokerData data)
    {
        string type = TypeName(typeof(T));
        if (data.Kind != BrokerDataKind.String)
        {
            throw new BrokerConversionException(
                $"A MessagePack {type} must arrive as a Broker string blob, but the value is a {BrokerData.KindName(data.Kind)}.",
                type, null, type, data.Kind);
        }

        ReadOnlyMemory<byte> blob = data.AsStringBytes();
        T? value;
        int consumed;
        try
        {
            value = MessagePackSerializer.Deserialize<T>(blob, MessagePackOptions, out consumed);
        }
        catch (MessagePackSerializationException ex)
        {
            throw new BrokerConversionException(
                $"The {blob.Length}-byte string is not a valid MessagePack {type}: {ex.InnerException?.Message ?? ex.Message}",
                type, null, type, BrokerDataKind.String, ex);
        }

        if (consumed != blob.Length)
        {
            throw new BrokerConversionException(
                $"The {blob.Length}-byte string holds a MessagePack {type} followed by {blob.Length - consumed} stray bytes.",
                type, null, type, BrokerDataKind.String);
        }

        // A MessagePack nil would smuggle null into a non-nullable member; nullable members arrive as Broker nil instead.
        return value ?? throw new BrokerConversionException(
            $"The MessagePack blob holds nil, but {type} is not nullable; send a Broker nil for an absent value.",
            type, null, type, BrokerDataKind.String);
    }

    private static string TypeName(Type type) => type.FullName ?? type.Name;
}
