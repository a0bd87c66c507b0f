using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Broker.Data;
using Broker.Errors;
using Broker.Sdk.Tests.TestSupport;
using Broker.Serialization;
using Broker.Serialization.Json;
using CsCheck;

namespace Broker.Sdk.Tests.Data;

/// <summary>
/// Decoded vectors and sets are slices of one shared element array. A slice must be indistinguishable from a value
/// that owns its array: equality, order, hash, text, JSON, accessors and re-encoding.
/// </summary>
public class BrokerDataSliceTests
{
    private static readonly BrokerData ZeekEvent =
        BrokerData.Vector(1UL, 1UL, BrokerData.Vector("my_event", BrokerData.Vector("hello", 42UL)));

    [Fact]
    public void A_decoded_value_keeps_all_its_vectors_in_one_array()
    {
        var decoded = BrokerBinary.Decode(BrokerBinary.Encode(ZeekEvent));

        var content = decoded[2];
        var args = content[1];
        Assert.Same(decoded.BackingObject, content.BackingObject);
        Assert.Same(decoded.BackingObject, args.BackingObject);
        Assert.Equal(7, ((BrokerData[])decoded.BackingObject!).Length); // 3 + 2 + 2 elements, nothing else
        Assert.Equal(ZeekEvent, decoded);
    }

    [Fact]
    public void Slices_compare_hash_and_print_like_owned_values()
    {
        var decoded = BrokerBinary.Decode(BrokerBinary.Encode(ZeekEvent));
        var owned = BrokerData.Vector("hello", 42UL);
        var slice = decoded[2][1];

        Assert.Equal(owned, slice);
        Assert.Equal(slice, owned);
        Assert.Equal(0, slice.CompareTo(owned));
        Assert.Equal(owned.GetHashCode(), slice.GetHashCode());
        Assert.Equal(owned.ToString(), slice.ToString());
        Assert.Equal(BrokerJson.ToJson(owned), BrokerJson.ToJson(slice));
        Assert.Equal(BrokerBinary.Encode(owned), BrokerBinary.Encode(slice));
        Assert.Equal(2, slice.Length);
        Assert.Equal("hello", slice[0].AsString());
        Assert.Equal(42UL, slice[1].AsCount());
        Assert.Throws<IndexOutOfRangeException>(() => slice[2]);
    }

    [Fact]
    public void Equal_slices_at_different_places_of_one_array_are_equal_and_different_ones_are_not()
    {
        var decoded = BrokerBinary.Decode(BrokerBinary.Encode(BrokerData.Vector(
            BrokerData.Vector(1UL, 2UL), BrokerData.Vector(1UL, 2UL), BrokerData.Vector(1UL, 3UL))));

        Assert.Same(decoded[0].BackingObject, decoded[1].BackingObject);
        Assert.Equal(decoded[0], decoded[1]);
        Assert.Equal(decoded[0].GetHashCode(), decoded[1].GetHashCode());
        Assert.NotEqual(decoded[0], decoded[2]);
        Assert.True(decoded[0] < decoded[2]);
    }

    [Fact]
    public void AsVector_copies_a_slice_and_shares_an_owned_array()
    {
        var decoded = BrokerBinary.Decode(BrokerBinary.Encode(ZeekEvent));
        var slice = decoded[2][1];

        var copy = slice.AsVector();
        Assert.Equal(new[] { BrokerData.String("hello"), BrokerData.Count(42) }, copy);
        Assert.NotSame(slice.BackingObject, ImmutableCollectionsMarshal.AsArray(copy));
        Assert.True(slice.AsVectorSpan().SequenceEqual(copy.AsSpan()));

        var owned = BrokerData.Vector("hello", 42UL);
        Assert.Same(owned.BackingObject, ImmutableCollectionsMarshal.AsArray(owned.AsVector()));
        Assert.True(Unsafe_SameStart(owned.AsVectorSpan(), (BrokerData[])owned.BackingObject!));
    }

    [Fact]
    public void Sorted_sets_decode_as_slices_and_unsorted_ones_are_normalised()
    {
        var set = BrokerData.Set(3UL, 1UL, 2UL);
        var decoded = BrokerBinary.Decode(BrokerBinary.Encode(BrokerData.Vector(set, BrokerData.Vector(set))));

        var inner = decoded[1][0];
        Assert.Same(decoded.BackingObject, inner.BackingObject);
        Assert.Equal(set, inner);
        Assert.True(inner.SetContains(BrokerData.Count(2)));
        Assert.False(inner.SetContains(BrokerData.Count(4)));
        Assert.Equal(new[] { 1UL, 2UL, 3UL }, inner.AsSetSpan().ToArray().Select(d => d.AsCount()));
        Assert.Equal(set.AsSet().ToArray(), inner.AsSet().ToArray());

        // [vector, {3, 1}] with the set unsorted on the wire.
        var unsorted = BrokerBinary.Decode(Convert.FromHexString("0E02" + "0E00" + "0C02" + "020000000000000003" + "020000000000000001"));
        Assert.Equal(BrokerData.Set(1UL, 3UL), unsorted[1]);
        Assert.Equal("{1, 3}", unsorted[1].ToString());
    }

    [Fact]
    public void Vectors_inside_tables_are_slices_too()
    {
        var table = BrokerData.Table(
            (BrokerData.Vector(2UL, "b"), BrokerData.Vector(BrokerData.Set("x", "y"))),
            (BrokerData.Vector(1UL, "a"), BrokerData.Vector()));
        var value = BrokerData.Vector(table, BrokerData.Vector(7UL));

        var decoded = BrokerBinary.Decode(BrokerBinary.Encode(value));

        Assert.Equal(value, decoded);
        Assert.Equal(value.ToString(), decoded.ToString());
        Assert.Equal(value.GetHashCode(), decoded.GetHashCode());
        Assert.True(decoded[0].TryGetTableValue(BrokerData.Vector(2UL, "b"), out var found));
        Assert.Equal(BrokerData.Vector(BrokerData.Set("x", "y")), found);
        Assert.Same(decoded.BackingObject, found.BackingObject);
    }

    [Fact]
    public void Every_nested_container_of_a_random_decoded_value_equals_its_owned_copy()
    {
        BrokerDataGen.Wire.Sample(value =>
        {
            var decoded = BrokerBinary.Decode(BrokerBinary.Encode(value));
            Walk(decoded, node =>
            {
                var owned = Own(node);
                Assert.Equal(owned, node);
                Assert.Equal(node, owned);
                Assert.Equal(0, owned.CompareTo(node));
                Assert.Equal(owned.GetHashCode(), node.GetHashCode());
                Assert.Equal(owned.ToString(), node.ToString());
                Assert.Equal(BrokerBinary.Encode(owned), BrokerBinary.Encode(node));
                Assert.Equal(owned.Length, node.Length);
                if (node.Kind == BrokerDataKind.Vector)
                {
                    Assert.Equal(owned.AsVector().ToArray(), node.AsVector().ToArray());
                }
                else if (node.Kind == BrokerDataKind.Set)
                {
                    Assert.Equal(owned.AsSet().ToArray(), node.AsSet().ToArray());
                }
            });
        }, iter: 1_000, print: v => v.ToString());
    }

    [Fact]
    public void A_count_the_input_cannot_hold_is_still_rejected_before_allocating()
    {
        // Nested vectors each claiming as many elements as bytes remain: the element counting pass must not add
        // the claims up into a huge array.
        var bytes = new byte[4_000];
        for (int i = 0; i + 3 <= bytes.Length; i += 3)
        {
            bytes[i] = 0x0E;
            int claim = bytes.Length - i - 3;
            bytes[i + 1] = (byte)(0x80 | (claim & 0x7F));
            bytes[i + 2] = (byte)(claim >> 7);
        }

        var limits = new BrokerDecodeLimits { MaxDepth = 10_000 };
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(bytes, limits));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.InRange(allocated, 0, 64L * bytes.Length);
    }

    private static bool Unsafe_SameStart(ReadOnlySpan<BrokerData> span, BrokerData[] array) =>
        span.Length == array.Length && System.Runtime.CompilerServices.Unsafe.AreSame(
            ref MemoryMarshal.GetReference(span), ref MemoryMarshal.GetArrayDataReference(array));

    private static void Walk(BrokerData value, Action<BrokerData> visit)
    {
        switch (value.Kind)
        {
            case BrokerDataKind.Vector:
            case BrokerDataKind.Set:
                visit(value);
                foreach (var element in value.AsSpanOfEither())
                {
                    Walk(element, visit);
                }

                break;
            case BrokerDataKind.Table:
                visit(value);
                foreach (var entry in value.AsTable())
                {
                    Walk(entry.Key, visit);
                    Walk(entry.Value, visit);
                }

                break;
        }
    }

    // A deep copy built with the public factories, so every container owns its array.
    private static BrokerData Own(BrokerData value) => value.Kind switch
    {
        BrokerDataKind.Vector => BrokerData.Vector(value.AsVectorSpan().ToArray().Select(Own)),
        BrokerDataKind.Set => BrokerData.Set(value.AsSetSpan().ToArray().Select(Own)),
        BrokerDataKind.Table => BrokerData.Table(value.AsTable().Select(e => KeyValuePair.Create(Own(e.Key), Own(e.Value)))),
        _ => value,
    };
}

internal static class SliceTestExtensions
{
    public static ReadOnlySpan<BrokerData> AsSpanOfEither(this BrokerData value) =>
        value.Kind == BrokerDataKind.Set ? value.AsSetSpan() : value.AsVectorSpan();
}
