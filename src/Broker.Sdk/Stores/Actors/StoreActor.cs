using Broker.Stores.Engine;
using Broker.Stores.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Stores.Actors;

/// <summary>The role of a store handle.</summary>
public enum StoreRole
{
    /// <summary>The authoritative copy; mutations are applied here.</summary>
    Master,
    /// <summary>A full local replica kept in sync by the master; reads are local, writes go to the master.</summary>
    Clone,
    /// <summary>No local data: every query asks the master (seed-era frontend).</summary>
    Frontend,
}

/// <summary>The engine behind a store handle: a master, or a clone/frontend that talks to a master.</summary>
internal abstract class StoreActor : IAsyncDisposable
{
    private static long s_nextObject;

    protected StoreActor(string name, IStoreTransport transport, StoreOptions options)
    {
        Name = name;
        Transport = transport;
        Options = options;
        Time = options.TimeProvider ?? transport.TimeProvider;
        Self = new EntityId(transport.LocalId, (ulong)Interlocked.Increment(ref s_nextObject));
        Logger = (ILogger?)transport.LoggerFactory?.CreateLogger("Broker.Stores") ?? NullLogger.Instance;
        MasterTopic = StoreTopics.Master(name);
        CloneTopic = StoreTopics.Clone(name);
        Events = new StoreEventEmitter(transport, name);
    }

    public string Name { get; }

    public abstract StoreRole Role { get; }

    public StoreOptions Options { get; }

    public TimeProvider Time { get; }

    public EntityId Self { get; }

    protected IStoreTransport Transport { get; }

    protected ILogger Logger { get; }

    protected string MasterTopic { get; }

    protected string CloneTopic { get; }

    /// <summary>This store's change events (local subscribers only); use under the actor's lock.</summary>
    protected StoreEventEmitter Events { get; }

    /// <summary>Store time in ns since the epoch.</summary>
    public long NowNs => (Time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    /// <summary>Commands from the network that did not parse or made no sense (dropped and logged).</summary>
    public long MalformedCommands;

    /// <summary>Fire-and-forget: never waits; failures are logged where the operation is applied.</summary>
    public abstract void Post(in StoreRequest request);

    /// <summary>Executes and reports the verdict; times out after the handle's default timeout.</summary>
    public abstract ValueTask<StoreResult> ExecuteAsync(StoreRequest request, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    protected void Send(string topic, StoreCommand command, EndpointId receiver = default) =>
        Transport.Send(topic, StoreCommandCodec.Serialize(command), receiver);

    protected StoreCommand? TryParse(in CommandMessage message)
    {
        try
        {
            return StoreCommandCodec.Parse(message.Payload.Span);
        }
        catch (Errors.BrokerDecodeException ex)
        {
            Interlocked.Increment(ref MalformedCommands);
            Logger.LogWarning("Store {Store}: dropped a malformed command from {Sender} on {Topic}: {Error}", Name, message.Sender, message.Topic, ex.Message);
            return null;
        }
    }

    protected void LogFailure(in StoreRequest request, in StoreResult result, EntityId publisher) =>
        Logger.LogWarning("Store {Store}: {Operation} from {Publisher} failed with {Code}: {Message}",
            Name, StoreRequest.Name(request.Op), publisher, Errors.BrokerErrorCodes.Name(result.Code), result.Message);
}
