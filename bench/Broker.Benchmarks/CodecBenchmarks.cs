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

    [Benchmark]
    public BrokerData EncodeDecode()
    {
        _writer.ResetWrittenCount();
        BrokerBinary.Encode(_event, _writer);
        return BrokerBinary.Decode(_writer.WrittenSpan);
    }

    // Shaped like the generator's output for `[BrokerEvent("my_event")] void MyEvent(string msg, ulong c)`.
    private readonly struct MyEvent(string msg, ulong c) : IBrokerValue
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
