using Broker.Peering;
using Xunit;

namespace Broker.Sdk.Tests.Peering;

/// <summary>The copies the reader hands to subscriptions that read values from their bytes.</summary>
public sealed class ReceivedBytesTests
{
    [Fact]
    public void Copies_survive_the_reuse_of_the_read_buffer_and_small_ones_share_blocks()
    {
        var kept = new ReceivedBytes();
        var buffer = new byte[100];
        var copies = new List<(ReadOnlyMemory<byte> Copy, byte Fill, int Length)>();
        for (int i = 0; i < 1000; i++)
        {
            // The reader's buffer is overwritten by the next read, as a pipe segment is.
            byte fill = (byte)i;
            int length = 1 + (i % 100);
            buffer.AsSpan(0, length).Fill(fill);
            copies.Add((kept.Keep(buffer.AsSpan(0, length)), fill, length));
            buffer.AsSpan().Fill(0xEE);
        }

        foreach (var (copy, fill, length) in copies)
        {
            Assert.Equal(length, copy.Length);
            Assert.True(copy.Span.IndexOfAnyExcept(fill) < 0);
        }

        // About 50 KB of payloads in 8 KiB blocks: a handful of arrays, not one per message.
        int arrays = copies.Select(c => System.Runtime.InteropServices.MemoryMarshal.TryGetArray(c.Copy, out var segment) ? segment.Array : null)
            .Distinct(ReferenceEqualityComparer.Instance).Count();
        Assert.InRange(arrays, 6, 8);
    }

    [Fact]
    public void A_large_payload_gets_its_own_array_and_does_not_waste_the_current_block()
    {
        var kept = new ReceivedBytes();
        var small1 = kept.Keep(new byte[] { 1, 2, 3 });
        var large = kept.Keep(Enumerable.Repeat((byte)7, ReceivedBytes.BlockSize).ToArray());
        var small2 = kept.Keep(new byte[] { 4, 5 });

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(small1, out var a));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(large, out var b));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(small2, out var c));
        Assert.Same(a.Array, c.Array);
        Assert.NotSame(a.Array, b.Array);
        Assert.Equal(ReceivedBytes.BlockSize, b.Array!.Length);
        Assert.Equal([1, 2, 3], small1.ToArray());
        Assert.Equal([4, 5], small2.ToArray());
    }
}
