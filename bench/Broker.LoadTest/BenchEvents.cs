using Broker;

namespace Broker.LoadTest;

/// <summary>The 2-argument Zeek event the pub/sub benchmark sends: <c>bench_event(seq: count, payload: string)</c>.</summary>
[BrokerEvents("/bench/")]
public partial interface IBenchEvents
{
    /// <summary>One benchmark event.</summary>
    /// <param name="seq">The sequence number.</param>
    /// <param name="payload">A short string.</param>
    [BrokerEvent("bench_event", Topic = "/bench/events")]
    void BenchEvent(ulong seq, string payload);
}
