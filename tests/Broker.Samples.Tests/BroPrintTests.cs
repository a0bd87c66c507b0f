using System.Net;
using Broker.Data;

namespace Broker.Samples.Tests;

/// <summary>The samples print values as Bro's <c>print</c> does in the seed.</summary>
public sealed class BroPrintTests
{
    [Fact]
    public void Fields_are_joined_with_comma_space() =>
        Assert.Equal("got my_event, hi, 0", BroPrint.Join("got my_event", "hi", 0UL));

    [Fact]
    public void Ports_counts_and_booleans_print_as_bro_does() =>
        Assert.Equal("9999/tcp, 111, -3, T, F", BroPrint.Join(BrokerPort.Tcp(9999), BrokerData.Count(111), BrokerData.Integer(-3), true, BrokerData.Boolean(false)));

    [Fact]
    public void Containers_print_as_bro_does()
    {
        Assert.Equal("[delta, alpha, omega]", BroPrint.Format(BrokerData.Vector("delta", "alpha", "omega")));
        Assert.Equal("{a, c, d}", BroPrint.Format(BrokerData.Set("d", "a", "c")));
        Assert.Equal("[myset, one]", BroPrint.Format(BrokerData.Set("one", "myset").AsSet()));
        Assert.Equal("{[a] = 1, [b] = [x, {y}]}", BroPrint.Format(BrokerData.Table(
            ((BrokerData)"b", BrokerData.Vector("x", BrokerData.Set("y"))),
            ((BrokerData)"a", BrokerData.Count(1)))));
    }

    [Fact]
    public void Records_print_with_field_names() =>
        Assert.Equal("wrote log, [msg=ping, num=0, addr=10.0.0.1]", BroPrint.Join("wrote log", BroPrint.Record(("msg", "ping"), ("num", 0UL), ("addr", IPAddress.Parse("10.0.0.1")))));

    [Theory]
    [InlineData(new[] { "listener" }, SampleMode.Listener, "127.0.0.1", 9999)]
    [InlineData(new[] { "connector", "--port", "4242", "--host", "::1" }, SampleMode.Connector, "::1", 4242)]
    public void Arguments_parse_with_seed_defaults(string[] args, SampleMode mode, string host, int port) =>
        Assert.Equal(new SampleArgs(mode, host, port), SampleArgs.Parse(args, out _));

    [Theory]
    [InlineData]
    [InlineData("listener", "connector")]
    [InlineData("listener", "--port", "0")]
    [InlineData("listener", "--port", "65536")]
    [InlineData("listener", "--host")]
    public void Wrong_arguments_are_rejected(params string[] args)
    {
        Assert.Null(SampleArgs.Parse(args, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
