using Broker.Data;
using Broker.Topics;

namespace Broker.WebSockets;

/// <summary>
/// Routes messages among the WebSocket clients of one endpoint. Each client is a lightweight peer with its own id:
/// it receives what matches its subscriptions, never its own messages. The subscription index is copy-on-write,
/// so delivery (the hot path) takes no lock.
/// </summary>
internal sealed class WebSocketHub
{
    private readonly Lock _gate = new();
    private PrefixIndex<WebSocketSession> _index = new();
    private readonly List<WebSocketSession> _sessions = [];

    [ThreadStatic]
    private static List<WebSocketSession>? t_matches;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>Called after a session is added (the endpoint advertises its subscriptions to peers).</summary>
    public Action<WebSocketSession>? Added { get; set; }

    public void Add(WebSocketSession session)
    {
        lock (_gate)
        {
            _sessions.Add(session);
            Rebuild();
        }

        Added?.Invoke(session);
    }

    public void Remove(WebSocketSession session)
    {
        lock (_gate)
        {
            if (_sessions.Remove(session))
            {
                Rebuild();
            }
        }
    }

    public WebSocketSession[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _sessions];
        }
    }

    private void Rebuild()
    {
        var index = new PrefixIndex<WebSocketSession>();
        foreach (var session in _sessions)
        {
            foreach (var prefix in session.Subscriptions)
            {
                index.Add(prefix, session);
            }
        }

        Volatile.Write(ref _index, index);
    }

    /// <summary>Queues a message for every client whose subscriptions match, except <paramref name="sender"/>.</summary>
    /// <returns>The number of clients it was queued for.</returns>
    public int Deliver(string topic, in BrokerData data, EndpointId sender)
    {
        if (TopicRules.IsInternal(topic))
        {
            return 0; // Broker's internal traffic is not for JSON clients
        }

        var matches = t_matches ??= new List<WebSocketSession>();
        matches.Clear();
        Volatile.Read(ref _index).Match(topic, matches);
        int delivered = 0;
        for (int i = 0; i < matches.Count; i++)
        {
            var session = matches[i];
            if (session.Id == sender || IndexOf(matches, session, i) >= 0)
            {
                continue;
            }

            session.EnqueueData(topic, data);
            delivered++;
        }

        matches.Clear();
        return delivered;
    }

    // Earlier occurrence of the same session (a client matching through two prefixes gets the message once).
    private static int IndexOf(List<WebSocketSession> list, WebSocketSession session, int before)
    {
        for (int i = 0; i < before; i++)
        {
            if (ReferenceEquals(list[i], session))
            {
                return i;
            }
        }

        return -1;
    }
}
