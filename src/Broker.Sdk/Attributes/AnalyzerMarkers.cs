namespace Broker;

/// <summary>How an API uses a topic string; read by the Broker analyzers.</summary>
public enum TopicUsage
{
    /// <summary>A full topic a message is published on.</summary>
    Publish,
    /// <summary>A subscription prefix (raw string prefix matching).</summary>
    SubscribePrefix,
}

/// <summary>
/// Marks a parameter of an SDK API as a topic. The Broker analyzers check every constant that flows into such a
/// parameter (malformed topics, prefixes that match siblings, likely typos), so no rule depends on method names.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class TopicParameterAttribute : Attribute
{
    /// <summary>Marks a topic parameter.</summary>
    /// <param name="usage">How the topic is used.</param>
    public TopicParameterAttribute(TopicUsage usage)
    {
        Usage = usage;
    }

    /// <summary>How the topic is used.</summary>
    public TopicUsage Usage { get; }
}

/// <summary>
/// Marks an asynchronous data-store query. The seed requires a timeout for every store query: the analyzers warn
/// when such a call is awaited with neither a cancellation token nor a timeout on the store handle.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class StoreQueryAttribute : Attribute
{
}
