using System.Diagnostics.Metrics;
using Broker.Data;
using Xunit;
using static Broker.Sdk.Tests.Peering.PeeringTestKit;

namespace Broker.Sdk.Tests.Peering;

public sealed class MetricsTests
{
    [Fact]
    public async Task Peering_counters_are_published_through_system_diagnostics_metrics()
    {
        long messagesIn = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Broker.Sdk.Peering" && instrument.Name == "broker.peering.messages_in")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref messagesIn, value));
        listener.Start();

        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint();
        await using var sub = b.Subscribe("/m");
        await ConnectAsync(a, b);
        await WaitForFilterAsync(a, "/m");
        a.Publish("/m", BrokerData.Count(1));
        await sub.ReceiveAsync(Deadline);

        // Counters are updated once per read, after the read's frames are delivered: wait, do not race them.
        await WaitUntilAsync(() => Interlocked.Read(ref messagesIn) >= 1 && b.GetStatistics().MessagesIn >= 1, "messages_in counted");
    }
}
