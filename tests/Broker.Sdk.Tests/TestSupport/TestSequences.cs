using System.Buffers;

namespace Broker.Sdk.Tests.TestSupport;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s, as a pipe reader hands them out.</summary>
public static class TestSequences
{
    /// <summary>Splits <paramref name="bytes"/> into segments of at most <paramref name="segmentLength"/> bytes.</summary>
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> bytes, int segmentLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(segmentLength);
        if (bytes.Length <= segmentLength)
        {
            return new ReadOnlySequence<byte>(bytes);
        }

        var first = new Segment(bytes[..segmentLength], 0);
        var last = first;
        for (int offset = segmentLength; offset < bytes.Length; offset += segmentLength)
        {
            last = last.Append(bytes[offset..Math.Min(bytes.Length, offset + segmentLength)]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
