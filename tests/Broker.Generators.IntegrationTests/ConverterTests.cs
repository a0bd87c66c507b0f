using System.Net;
using Broker.Data;
using Broker.Generators.IntegrationTests.Contracts;
using Broker.Serialization;
using Broker.Typed;
using Broker.Zeek;

namespace Broker.Generators.IntegrationTests;

/// <summary>Generated record converters and dispatch tables through the real binary codec (no network).</summary>
public class ConverterTests
{
    [Fact]
    public void Record_with_unset_optional_fields_travels_as_vector_with_nil()
    {
        var connection = new Connection { Uid = "C7", Origin = null, Proto = Proto.Tcp, Duration = TimeSpan.FromSeconds(2), Services = [] };
        var data = connection.ToBrokerData();
        Assert.Equal(BrokerData.Vector("C7", BrokerData.None, BrokerData.EnumValue("Tcp"), BrokerData.Timespan(TimeSpan.FromSeconds(2)), BrokerData.Vector()), data);

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        BrokerBinary.Encode(data, buffer);
        var back = Connection.FromBrokerData(BrokerBinary.Decode(buffer.WrittenSpan));
        Assert.Equal(("C7", (Endpoint?)null, Proto.Tcp, (TimeSpan?)TimeSpan.FromSeconds(2)), (back.Uid, back.Origin, back.Proto, back.Duration));
    }

    [Fact]
    public void Wrong_record_shapes_name_the_record_field_and_types()
    {
        var wrongLength = Assert.Throws<BrokerConversionException>(() => Endpoint.FromBrokerData(BrokerData.Vector(BrokerData.Address(IPAddress.Loopback))));
        Assert.Contains("Record Broker.Generators.IntegrationTests.Contracts.Endpoint has 2 fields, but the vector received has 1", wrongLength.Message, StringComparison.Ordinal);

        var wrongType = Assert.Throws<BrokerConversionException>(() => Endpoint.FromBrokerData(BrokerData.Vector("10.0.0.1", BrokerData.Port(80, PortProtocol.Tcp))));
        Assert.Equal("Host", wrongType.Member);
        Assert.Equal("IPAddress", wrongType.ExpectedType);
        Assert.Equal(BrokerDataKind.String, wrongType.ActualKind);

        var unknownEnum = Assert.Throws<BrokerConversionException>(() => Connection.FromBrokerData(
            BrokerData.Vector("C", BrokerData.None, BrokerData.EnumValue("Sctp"), BrokerData.None, BrokerData.Vector())));
        Assert.Contains("'Sctp' is not a member of Proto", unknownEnum.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Counts_and_integers_are_never_mixed()
    {
        Assert.Throws<BrokerConversionException>(() => TestInfo.FromBrokerData(BrokerData.Vector("m", 5L, BrokerData.None)));
        Assert.Throws<BrokerConversionException>(() => BrokerConvert.Member(BrokerData.Count(1), BrokerConvert.DecodeInt32, "e", "a", "int"));
        Assert.Throws<BrokerConversionException>(() => BrokerConvert.Member(BrokerData.Integer(1L << 40), BrokerConvert.DecodeInt32, "e", "a", "int"));
        Assert.Throws<BrokerConversionException>(() => BrokerConvert.Member(BrokerData.Count(256), BrokerConvert.DecodeByte, "e", "a", "byte"));
        Assert.Throws<BrokerConversionException>(() => BrokerConvert.Member(BrokerData.Integer(-129), BrokerConvert.DecodeSByte, "e", "a", "sbyte"));
        Assert.Throws<BrokerConversionException>(() => BrokerConvert.Member(BrokerData.Count(70000), BrokerConvert.DecodeUInt16, "e", "a", "ushort"));
        Assert.Throws<BrokerConversionException>(() => BrokerConvert.Member(BrokerData.Integer(40000), BrokerConvert.DecodeInt16, "e", "a", "short"));
    }

    [Fact]
    public async Task Dispatch_table_accepts_the_seed_legacy_event_form()
    {
        var recorder = new TestSupport.Recorder();
        Assert.True(ZeekEvent.TryDecode(BrokerData.Vector("my_event", "legacy", 4UL), out var legacy));
        Assert.True(await IDemoEvents.BrokerContract.DispatchAsync(recorder, legacy!));
        Assert.Equal(new object?[] { "legacy", 4UL }, await recorder.Next("my_event"));
        Assert.False(await IDemoEvents.BrokerContract.DispatchAsync(recorder, new ZeekEvent("unknown")));
        Assert.Equal(["bro/event/"], IDemoEvents.BrokerContract.SubscriptionPrefixes.ToArray());
    }
}
