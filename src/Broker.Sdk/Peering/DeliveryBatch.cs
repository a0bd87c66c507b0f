namespace Broker.Peering;

/// <summary>
/// Messages a peer's reader received in one read, on their way to local subscribers: consecutive messages for the
/// same subscribers are handed over together (one lock per subscription per run, not per message). The reader
/// flushes at the end of every read and before it stops, so nothing waits for more input and no data follows the
/// peer's peer_lost.
/// </summary>
internal sealed class DeliveryBatch
{
    private const int MaxRun = 256;

    private readonly Delivery[] _messages = new Delivery[MaxRun];
    private BrokerSubscription[] _targets = [];
    private int _count;

    /// <summary>Stages a message for <paramref name="targets"/> (a matches array, compared by reference).</summary>
    public void Add(EndpointCore core, BrokerSubscription[] targets, in Delivery message)
    {
        if (_count == MaxRun || (_count > 0 && !ReferenceEquals(targets, _targets)))
        {
            Flush(core);
        }

        _targets = targets;
        _messages[_count++] = message;
    }

    public void Flush(EndpointCore core)
    {
        if (_count == 0)
        {
            return;
        }

        var run = _messages.AsSpan(0, _count);
        foreach (var s in _targets)
        {
            if (!s.Offer(run))
            {
                core.ReportSubscriberOverflow(s);
            }
        }

        run.Clear(); // Do not keep delivered values alive.
        _count = 0;
        _targets = [];
    }
}
