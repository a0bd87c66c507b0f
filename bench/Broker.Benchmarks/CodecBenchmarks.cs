using System.Buffers;
using BenchmarkDotNet.Attributes;
using Broker.Data;
using Broker.Serialization;

namespace Broker.Benchmarks;

/// <summary>
/// Encode and decode of a typical Zeek event, <c>[1, 1, ["my_event", ["hello", count 42]]]</c>.
/// Run: <c>dotnet run -c Release --project bench/Broker.Benchmarks -- --filter '*Codec*' --job short</c>
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class CodecBenchmarks
{
    private readonly ArrayBufferWriter<byte> _writer = new(256);
    private BrokerData _event;
    private byte[] _bytes = [];
    private readonly byte[] _buffer = new byte[256];

    [GlobalSetup]
    public void Setup()
    {
        _event = BrokerData.Vector(1UL, 1UL, BrokerData.Vector("my_event", BrokerData.Vector("hello", 42UL)));
        _bytes = BrokerBinary.Encode(_event);
    }

    [Benchmark]
    public int Encode()
    {
        _writer.ResetWrittenCount();
        return BrokerBinary.Encode(_event, _writer);
    }

    /// <summary>
    /// The same event written by a value that writes itself (what a generated event does when published): no
    /// <see cref="BrokerData"/> tree to walk.
    /// </summary>
    [Benchmark]
    public int EncodeDirect()
    {
        var writer = new BrokerWriter(_buffer);
        new MyEvent("hello", 42).WriteTo(ref writer);
        return writer.BytesWritten;
    }

    [Benchmark]
    public BrokerData Decode() => BrokerBinary.Decode(_bytes);

    /// <summary>What the peer reader does for a typed subscriber: check the bytes, build nothing.</summary>
    [Benchmark]
    public void Validate() => BrokerBinary.Validate(_bytes);

    /// <summary>A typed receiver's read of the event: name check and arguments straight from the bytes.</summary>
    [Benchmark]
    public ulong DecodeTyped() => ReadTyped(_bytes);

    [Benchmark]
    public BrokerData EncodeDecode()
    {
        _writer.ResetWrittenCount();
        BrokerBinary.Encode(_event, _writer);
        return BrokerBinary.Decode(_writer.WrittenSpan);
    }

    /// <summary><see cref="EncodeDirect"/> then <see cref="DecodeTyped"/>: a typed event's round trip with no tree.</summary>
    [Benchmark]
    public ulong EncodeDecodeTyped()
    {
        var writer = new BrokerWriter(_buffer);
        new MyEvent("hello", 42).WriteTo(ref writer);
        return ReadTyped(_buffer.AsSpan(0, writer.BytesWritten));
    }

    // Shaped like a generated typed handler for `my_event(msg: string, c: count)`.
    internal static ulong ReadTyped(ReadOnlySpan<byte> bytes)
    {
        var reader = new BrokerReader(bytes);
        if (reader.TryReadZeekEventHeader(out var name, out int count, out _) && name.SequenceEqual("my_event"u8) && count == 2 &&
            reader.TryReadString(out string msg) && reader.TryReadCount(out ulong c))
        {
            return c + (ulong)msg.Length;
        }

        return 0;
    }

    // Shaped like the generator's output for `[BrokerEvent("my_event")] void MyEvent(string msg, ulong c)`.
    internal readonly struct MyEvent(string msg, ulong c) : IBrokerValue
    {
        private static readonly byte[] Name = "my_event"u8.ToArray();

        public void WriteTo(ref BrokerWriter writer)
        {
            writer.WriteZeekEventHeader(Name, 2);
            writer.WriteString(msg);
            writer.WriteCount(c);
        }

        public BrokerData ToBrokerData() => Zeek.ZeekEvent.Encode("my_event", [msg, c]);
    }
}
