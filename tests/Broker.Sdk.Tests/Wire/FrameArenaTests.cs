using System.Buffers.Binary;
using Broker.Data;
using Broker.Serialization;
using Broker.Wire;
using Xunit;

namespace Broker.Sdk.Tests.Wire;

/// <summary>Queued frames are slices of shared slabs: each must stay intact and exact whatever comes after it.</summary>
public sealed class FrameArenaTests
{
    private static readonly EndpointId Sender = EndpointId.Parse("11111111-2222-3333-4444-555555555555");

    [Fact]
    public void Frames_of_every_size_stay_intact_across_slabs()
    {
        // Small frames fill several slabs; medium ones leave slab tails unused; large ones get arrays of their own.
        int[] sizes = [0, 1, 100, FrameArena.LargeFrame - 200, FrameArena.LargeFrame + 1, FrameArena.SlabSize, 3 * FrameArena.SlabSize];
        var frames = new List<(ReadOnlyMemory<byte> Frame, string Topic, BrokerData Value)>();
        for (int round = 0; round < 40; round++)
        {
            foreach (int size in sizes)
            {
                var value = BrokerData.Vector(BrokerData.Count((ulong)round), BrokerData.String(new string((char)('a' + round % 26), size)));
                string topic = $"/arena/{round}/{size}";
                frames.Add((FrameArena.DataFrame(Sender, EndpointId.Nil, 16, topic, value), topic, value));
            }
        }

        foreach (var (frame, topic, value) in frames)
        {
            var span = frame.Span;
            Assert.Equal((uint)(span.Length - 4), BinaryPrimitives.ReadUInt32BigEndian(span));
            Assert.True(Envelope.TryParse(span[4..], out var env));
            Assert.Equal(Sender, env.Sender);
            Assert.Equal(EnvelopeType.Data, env.Type);
            Assert.Equal(16, env.Ttl);
            Assert.Equal(topic, System.Text.Encoding.UTF8.GetString(env.Topic));
            Assert.Equal(BrokerBinary.Encode(value), env.Payload.ToArray());
        }
    }

    [Fact]
    public void Raw_frames_carry_their_body_unchanged()
    {
        var body = new byte[FrameArena.LargeFrame * 2];
        Random.Shared.NextBytes(body);
        foreach (int length in new[] { 0, 11, body.Length })
        {
            var frame = FrameArena.RawFrame(Sender, EndpointId.Nil, EnvelopeType.Command, 7, "x/y", body.AsSpan(0, length));
            Assert.True(Envelope.TryParse(frame.Span[4..], out var env));
            Assert.Equal(EnvelopeType.Command, env.Type);
            Assert.Equal(7, env.Ttl);
            Assert.Equal(body.AsSpan(0, length).ToArray(), env.Payload.ToArray());
        }
    }
}
