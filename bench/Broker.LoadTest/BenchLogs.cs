using System.Net;
using Broker;
using Broker.Data;

namespace Broker.LoadTest;

/// <summary>A Zeek-like <c>conn.log</c> record, the one the logs benchmark writes (remote logging's typical shape).</summary>
/// <param name="Ts">When the connection started.</param>
/// <param name="Uid">The connection's unique id.</param>
/// <param name="OrigH">The originator's address.</param>
/// <param name="OrigP">The originator's port.</param>
/// <param name="RespH">The responder's address.</param>
/// <param name="RespP">The responder's port.</param>
/// <param name="Duration">How long the connection lasted (unset while it runs).</param>
/// <param name="OrigBytes">Payload bytes the originator sent; also the benchmark's sequence number.</param>
/// <param name="Service">The detected protocol (unset when unknown).</param>
/// <param name="ConnState">Zeek's connection state.</param>
[LogStream("Conn::LOG", Path = "conn")]
public partial record BenchConn(
    DateTimeOffset Ts,
    string Uid,
    IPAddress OrigH,
    BrokerPort OrigP,
    IPAddress RespH,
    BrokerPort RespP,
    TimeSpan? Duration,
    ulong? OrigBytes,
    string? Service,
    string ConnState);
