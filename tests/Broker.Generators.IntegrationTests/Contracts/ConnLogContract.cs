using System.Net;
using Broker.Data;

namespace Broker.Generators.IntegrationTests.Contracts;

/// <summary>
/// A Zeek-like connection log with a field of every kind a record reader handles differently: direct scalars (narrow
/// ones range-checked), nullable scalars and strings (nil), a nested record and a nullable one, an enum and values
/// read through BrokerData (time, interval).
/// </summary>
[LogStream("Conn::LOG", Path = "conn")]
public partial record ConnLog(
    DateTimeOffset Ts,
    string Uid,
    Endpoint Orig,
    Endpoint? Resp,
    Proto Proto,
    TimeSpan? Duration,
    ulong? OrigBytes,
    int? Depth,
    short Small,
    byte Tiny,
    float Ratio,
    bool Local,
    string? Service)
{
    public static ConnLog Sample(int i) => new(
        DateTimeOffset.UnixEpoch.AddSeconds(1_700_000_000 + i),
        $"C{i:x8}",
        new Endpoint(IPAddress.Parse("10.0.0.1"), new BrokerPort(49152, PortProtocol.Tcp)),
        i % 3 == 0 ? null : new Endpoint(IPAddress.Parse("2001:db8::1"), new BrokerPort(443, PortProtocol.Tcp)),
        (Proto)(i % 3),
        i % 4 == 0 ? null : TimeSpan.FromMilliseconds(i),
        i % 5 == 0 ? null : (ulong)i * 100,
        i % 2 == 0 ? null : -i,
        (short)(i % 1000 - 500),
        (byte)(i % 256),
        i / 7f,
        i % 2 == 0,
        i % 6 == 0 ? null : "http");
}

/// <summary>A stream whose topic lies under <see cref="ConnLog"/>'s: its writes reach a ConnLog subscription and are skipped.</summary>
[LogStream("Conn::LOG_extra", Path = "conn_extra")]
public partial record ConnExtraLog(string Uid, ulong Count);
