using System.Collections.Immutable;
using Broker.Data;
using Broker.Serialization;

namespace Broker.Zeek;

/// <summary>
/// A Zeek event: a name, its arguments and optional metadata. On the wire it is the modern Zeek message
/// <c>[1, 1, [name, [args...], [[key, value]...]?]]</c> (spec §3.2); the seed's legacy form
/// <c>[name, args...]</c> is decoded too.
/// </summary>
/// <param name="Name">The event name, e.g. <c>my_event</c>.</param>
/// <param name="Arguments">The arguments.</param>
/// <param name="Metadata">Metadata entries (key 1 = network timestamp); empty when absent.</param>
public sealed record ZeekEvent(string Name, ImmutableArray<BrokerData> Arguments, ImmutableArray<(ulong Key, BrokerData Value)> Metadata) : IBrokerValue
{
    /// <summary>The Zeek message format version.</summary>
    public const ulong FormatVersion = 1;

    /// <summary>The Zeek message type of events.</summary>
    public const ulong EventMessageType = 1;

    /// <summary>The metadata key of the network timestamp.</summary>
    public const ulong NetworkTimestampKey = 1;

    /// <summary>Creates an event without metadata.</summary>
    /// <param name="name">The event name.</param>
    /// <param name="arguments">The arguments.</param>
    public ZeekEvent(string name, params ReadOnlySpan<BrokerData> arguments)
        : this(name, ImmutableArray.Create(arguments), ImmutableArray<(ulong, BrokerData)>.Empty)
    {
    }

    /// <summary>The network timestamp from the metadata, if present.</summary>
    public DateTimeOffset? NetworkTimestamp
    {
        get
        {
            foreach (var (key, value) in Metadata)
            {
                if (key == NetworkTimestampKey && value.Kind == BrokerDataKind.Timestamp)
                {
                    return value.AsTimestamp();
                }
            }

            return null;
        }
    }

    /// <summary>Encodes the event as the modern Zeek message (metadata included only when present).</summary>
    /// <returns>The Broker value to publish.</returns>
    public BrokerData ToData() => Encode(Name, Arguments, Metadata);

    /// <summary>Encodes an event without building a <see cref="ZeekEvent"/> (the generator's fast path).</summary>
    /// <param name="name">The event name.</param>
    /// <param name="arguments">The arguments (shared, not copied).</param>
    /// <param name="metadata">Metadata, or default/empty for none.</param>
    /// <returns>The Broker value to publish.</returns>
    public static BrokerData Encode(string name, ImmutableArray<BrokerData> arguments, ImmutableArray<(ulong Key, BrokerData Value)> metadata = default)
    {
        BrokerData content;
        if (metadata.IsDefaultOrEmpty)
        {
            content = BrokerData.Vector(NameOf(name), BrokerData.Vector(arguments));
        }
        else
        {
            var entries = new BrokerData[metadata.Length];
            for (int i = 0; i < entries.Length; i++)
            {
                entries[i] = BrokerData.Vector(BrokerData.Count(metadata[i].Key), metadata[i].Value);
            }

            content = BrokerData.Vector(NameOf(name), BrokerData.Vector(arguments), BrokerData.FromVectorArray(entries));
        }

        return BrokerData.Vector(BrokerData.Count(FormatVersion), BrokerData.Count(EventMessageType), content);
    }

    /// <inheritdoc/>
    void IBrokerValue.WriteTo(ref BrokerWriter writer)
    {
        var arguments = Arguments.IsDefault ? [] : Arguments.AsSpan();
        bool hasMetadata = !Metadata.IsDefaultOrEmpty;
        writer.WriteZeekEventHeader(Name, arguments.Length, hasMetadata);
        foreach (ref readonly var argument in arguments)
        {
            writer.Write(argument);
        }

        if (hasMetadata)
        {
            writer.WriteVectorHeader(Metadata.Length);
            foreach (var (key, value) in Metadata)
            {
                writer.WriteVectorHeader(2);
                writer.WriteCount(key);
                writer.Write(value);
            }
        }
    }

    /// <inheritdoc/>
    BrokerData IBrokerValue.ToBrokerData() => ToData();

    /// <summary>The UTF-8 of an event name, cached by string instance (see <see cref="NameOf"/>).</summary>
    internal static byte[] NameBytes(string name) => NameOf(name).RawBytes;

    // Event names are few and usually the same string instances (literals in generated code): keep their encoded
    // form in a small direct-mapped cache keyed by reference, so publishing does not re-encode the name each time.
    // Entries are immutable (a value shares its bytes, never mutates them); a collision just replaces one.
    private sealed record NameEntry(string Name, BrokerData Value);

    private static readonly NameEntry?[] Names = new NameEntry?[64];

    private static BrokerData NameOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ref var slot = ref Names[System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(name) & (Names.Length - 1)];
        var entry = Volatile.Read(ref slot);
        if (entry is null || !ReferenceEquals(entry.Name, name))
        {
            entry = new NameEntry(name, BrokerData.String(name));
            Volatile.Write(ref slot, entry);
        }

        return entry.Value;
    }

    /// <summary>
    /// Decodes a Zeek event from the modern form (with or without metadata) or the seed's legacy
    /// <c>[name, args...]</c> form. Returns false, never throws, for anything else.
    /// </summary>
    /// <param name="data">The received value.</param>
    /// <param name="zeekEvent">The event.</param>
    /// <returns>True when <paramref name="data"/> is an event.</returns>
    public static bool TryDecode(in BrokerData data, out ZeekEvent? zeekEvent)
    {
        zeekEvent = null;
        if (data.Kind != BrokerDataKind.Vector)
        {
            return false;
        }

        // Spans, not AsVector(): the containers of a decoded value are slices of one shared array.
        var outer = data.AsVectorSpan();
        if (outer.Length == 3 && outer[0].Kind == BrokerDataKind.Count && outer[1].Kind == BrokerDataKind.Count)
        {
            if (outer[0].AsCount() != FormatVersion || outer[1].AsCount() != EventMessageType || outer[2].Kind != BrokerDataKind.Vector)
            {
                return false;
            }

            var content = outer[2].AsVectorSpan();
            if (content.Length is < 2 or > 3 || content[0].Kind != BrokerDataKind.String || content[1].Kind != BrokerDataKind.Vector)
            {
                return false;
            }

            var metadata = ImmutableArray<(ulong, BrokerData)>.Empty;
            if (content.Length == 3)
            {
                if (content[2].Kind != BrokerDataKind.Vector)
                {
                    return false;
                }

                var builder = ImmutableArray.CreateBuilder<(ulong, BrokerData)>();
                foreach (var entry in content[2].AsVectorSpan())
                {
                    if (entry.Kind != BrokerDataKind.Vector || entry.Length != 2 || entry[0].Kind != BrokerDataKind.Count)
                    {
                        return false;
                    }

                    builder.Add((entry[0].AsCount(), entry[1]));
                }

                metadata = builder.ToImmutable();
            }

            zeekEvent = new ZeekEvent(content[0].AsString(), content[1].AsVector(), metadata);
            return true;
        }

        // Seed (Bro 2.4/2.5) form: [name, args...].
        if (outer.Length >= 1 && outer[0].Kind == BrokerDataKind.String)
        {
            zeekEvent = new ZeekEvent(outer[0].AsString(), ImmutableArray.Create(outer[1..]), ImmutableArray<(ulong, BrokerData)>.Empty);
            return true;
        }

        return false;
    }
}
