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

    [Benchmark]
    public BrokerData Decode() => BrokerBinary.Decode(_bytes);

    [Benchmark]
    public BrokerData EncodeDecode()
    {
        _writer.ResetWrittenCount();
        BrokerBinary.Encode(_event, _writer);
        return BrokerBinary.Decode(_writer.WrittenSpan);
    }
}
