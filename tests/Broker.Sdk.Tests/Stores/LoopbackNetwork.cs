using System.Threading.Channels;
using Broker.Stores.Actors;
using Microsoft.Extensions.Logging;

namespace Broker.Sdk.Tests.Stores;

/// <summary>
/// In-process command transport between store hosts, with the endpoint's contract: each node runs its handlers on
/// one dispatcher task, FIFO per sender; a send reaches every connected node (itself included) with a matching
/// handler; a unicast receiver limits delivery to that node. Payloads travel as bytes, so every message goes through
/// the real codec. Used until (and besides) the TCP end-to-end tests.
/// </summary>
internal sealed class LoopbackNetwork : IAsyncDisposable
{
    private readonly List<Node> _nodes = new();

    public Node AddNode(TimeProvider? time = null)
    {
        var node = new Node(this, time ?? TimeProvider.System);
        lock (_nodes)
        {
            _nodes.Add(node);
        }

        return node;
    }

    internal Node[] Nodes()
    {
        lock (_nodes)
        {
            return _nodes.ToArray();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var n in Nodes())
        {
            await n.DisposeAsync();
        }
    }

    internal sealed class Node : IStoreTransport, IAsyncDisposable
    {
        private readonly LoopbackNetwork _network;
        private readonly List<(string Prefix, Action<CommandMessage> Handler)> _handlers = new();
        private readonly Channel<(Action<CommandMessage> Handler, CommandMessage Message)> _inbox =
            Channel.CreateUnbounded<(Action<CommandMessage>, CommandMessage)>(new UnboundedChannelOptions { SingleReader = true });
        private readonly Task _dispatcher;

        public Node(LoopbackNetwork network, TimeProvider time)
        {
            _network = network;
            TimeProvider = time;
            Host = new StoreHost(this);
            _dispatcher = Task.Run(DispatchAsync);
        }

        public EndpointId LocalId { get; } = EndpointId.NewId();

        public TimeProvider TimeProvider { get; }

        public ILoggerFactory? LoggerFactory => null;

        public StoreHost Host { get; }

        /// <summary>False cuts the node off: nothing in or out.</summary>
        public volatile bool Connected = true;

        /// <summary>Drops matching outgoing messages (to simulate loss).</summary>
        public Func<string, ReadOnlyMemory<byte>, bool>? DropOutgoing = null;

        public long Sent;

        public void Send(string topic, ReadOnlyMemory<byte> payload, EndpointId receiver)
        {
            if (!Connected || DropOutgoing?.Invoke(topic, payload) == true)
            {
                return;
            }

            Interlocked.Increment(ref Sent);
            var copy = payload.ToArray();
            foreach (var node in _network.Nodes())
            {
                if (node != this && (!node.Connected || (!receiver.IsNil && receiver != node.LocalId)))
                {
                    continue;
                }

                node.Deliver(new CommandMessage(topic, LocalId, receiver, copy));
            }
        }

        /// <summary>Injects raw bytes as if a peer had sent them.</summary>
        public void Inject(string topic, byte[] payload, EndpointId sender) =>
            Deliver(new CommandMessage(topic, sender, default, payload));

        private void Deliver(CommandMessage message)
        {
            lock (_handlers)
            {
                foreach (var (prefix, handler) in _handlers)
                {
                    if (message.Topic.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        _inbox.Writer.TryWrite((handler, message));
                    }
                }
            }
        }

        public IDisposable Subscribe(string topicPrefix, Action<CommandMessage> handler)
        {
            var entry = (topicPrefix, handler);
            lock (_handlers)
            {
                _handlers.Add(entry);
            }

            return new Registration(() =>
            {
                lock (_handlers)
                {
                    _handlers.Remove(entry);
                }
            });
        }

        private readonly List<BrokerSubscription> _local = new();

        public bool HasLocalSubscriber(string topic)
        {
            lock (_local)
            {
                return _local.Exists(s => topic.StartsWith(s.Prefix, StringComparison.Ordinal));
            }
        }

        /// <summary>Local data delivery with the endpoint's contract: matching local subscribers only.</summary>
        public void PublishLocal(string topic, in Broker.Data.BrokerData data)
        {
            BrokerSubscription[] subs;
            lock (_local)
            {
                subs = _local.FindAll(s => topic.StartsWith(s.Prefix, StringComparison.Ordinal)).ToArray();
            }

            var message = new Delivery(topic, data, EndpointId.Nil);
            foreach (var s in subs)
            {
                s.Offer(message);
            }
        }

        public BrokerSubscription SubscribeLocal(string prefix, SubscriberOptions? options)
        {
            var sub = new BrokerSubscription(prefix, options?.QueueSize ?? 4096, options?.OverflowPolicy ?? OverflowPolicy.DropOldest, s =>
            {
                lock (_local)
                {
                    _local.Remove(s);
                }
            });
            lock (_local)
            {
                _local.Add(sub);
            }

            return sub;
        }

        public bool AnyPeerSubscribes(string topic)
        {
            foreach (var node in _network.Nodes())
            {
                if (node == this || !node.Connected || !Connected)
                {
                    continue;
                }

                lock (node._handlers)
                {
                    foreach (var (prefix, _) in node._handlers)
                    {
                        if (topic.StartsWith(prefix, StringComparison.Ordinal))
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }

        private async Task DispatchAsync()
        {
            await foreach (var (handler, message) in _inbox.Reader.ReadAllAsync())
            {
                handler(message);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            _inbox.Writer.TryComplete();
            await _dispatcher;
        }

        private sealed class Registration(Action dispose) : IDisposable
        {
            public void Dispose() => dispose();
        }
    }
}
