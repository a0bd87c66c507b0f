namespace Broker;

/// <summary>
/// Marks a <c>partial interface</c> as a Zeek event contract: every <see cref="BrokerEventAttribute"/> method on it
/// is an event published on <see cref="TopicPrefix"/> + event name. The source generator emits a publisher
/// proxy, a dispatch table and (for <see cref="BrokerEventAttribute.AutoPublish"/> events) an auto-publish proxy.
/// </summary>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
public sealed class BrokerEventsAttribute : Attribute
{
    /// <summary>Declares the contract's topic prefix, e.g. <c>bro/event/</c>.</summary>
    /// <param name="topicPrefix">The topic prefix.</param>
    public BrokerEventsAttribute(string topicPrefix)
    {
        TopicPrefix = topicPrefix;
    }

    /// <summary>The topic prefix events are published on and subscribed to.</summary>
    public string TopicPrefix { get; }
}

/// <summary>Declares one Zeek event on a <see cref="BrokerEventsAttribute"/> interface. The method returns <c>void</c>
/// (or <c>ValueTask</c>/<c>Task</c>) and its parameters are the event's arguments in order.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class BrokerEventAttribute : Attribute
{
    /// <summary>Declares the event under its Zeek name.</summary>
    /// <param name="name">The Zeek event name, e.g. <c>my_event</c>.</param>
    public BrokerEventAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The Zeek event name.</summary>
    public string Name { get; }

    /// <summary>
    /// When true, raising the event locally runs the local handlers <em>and</em> publishes it to peers
    /// (the seed's <c>Broker::auto_event</c>).
    /// </summary>
    public bool AutoPublish { get; set; }

    /// <summary>An explicit topic for this event; by default the contract's prefix followed by the event name.</summary>
    public string? Topic { get; set; }
}

/// <summary>
/// Marks a <c>partial record</c> as the columns of a Zeek log stream. Records travel as Broker vectors (one element
/// per field in declaration order, <c>nil</c> for unset optional fields) on <c>bro/log/&lt;id&gt;</c>, in the seed's log
/// message format <c>[stream enum, record]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class LogStreamAttribute : Attribute
{
    /// <summary>Declares the log stream.</summary>
    /// <param name="id">The stream id, a Zeek enum name such as <c>Test::LOG</c>.</param>
    public LogStreamAttribute(string id)
    {
        Id = id;
    }

    /// <summary>The stream id (a Zeek <c>Log::ID</c> enum name).</summary>
    public string Id { get; }

    /// <summary>The log path (Zeek's <c>$path</c>), e.g. <c>test</c>.</summary>
    public string? Path { get; set; }

    /// <summary>The topic prefix; defaults to the seed's <c>bro/log/</c> (modern Zeek uses <c>zeek/logs/</c>).</summary>
    public string TopicPrefix { get; set; } = "bro/log/";
}

/// <summary>Marks a <c>partial</c> record or class as a Zeek record: converted to and from a Broker vector, one element
/// per field in declaration order, <c>nil</c> for unset (null) fields.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class BrokerRecordAttribute : Attribute
{
}
