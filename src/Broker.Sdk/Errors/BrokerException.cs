namespace Broker.Errors;

/// <summary>The base of every exception the SDK throws for a Broker-level failure; carries Broker's error code.</summary>
public class BrokerException : Exception
{
    /// <summary>Creates an exception.</summary>
    /// <param name="code">Broker's error code.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    public BrokerException(BrokerErrorCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>Broker's error code.</summary>
    public BrokerErrorCode Code { get; }
}

/// <summary>
/// Bytes or text from the network could not be decoded. This is the only exception a decoder throws for bad
/// input; <see cref="Offset"/> says where decoding stopped.
/// </summary>
public sealed class BrokerDecodeException : BrokerException
{
    /// <summary>Creates an exception.</summary>
    /// <param name="message">What was wrong with the input.</param>
    /// <param name="offset">The input offset at which decoding failed, or -1.</param>
    public BrokerDecodeException(string message, long offset = -1)
        : this(message, offset, limitExceeded: false)
    {
    }

    /// <summary>Creates an exception that may report a configured limit (rather than malformed input).</summary>
    /// <param name="message">What was wrong with the input.</param>
    /// <param name="offset">The input offset at which decoding failed, or -1.</param>
    /// <param name="limitExceeded">True when the input broke a configured limit (depth, collection size, string size).</param>
    public BrokerDecodeException(string message, long offset, bool limitExceeded)
        : base(BrokerErrorCode.DeserializationFailed, offset >= 0 ? $"{message} (at offset {offset})" : message)
    {
        Offset = offset;
        LimitExceeded = limitExceeded;
    }

    /// <summary>The input offset at which decoding failed, or -1 when unknown.</summary>
    public long Offset { get; }

    /// <summary>
    /// True when the input exceeded a configured limit (<see cref="Serialization.BrokerDecodeLimits"/> or the JSON
    /// nesting limit) rather than being malformed; network code closes the connection that sent it.
    /// </summary>
    public bool LimitExceeded { get; }
}

/// <summary>A topic or subscription prefix broke Broker's topic rules.</summary>
public sealed class InvalidTopicException : ArgumentException
{
    /// <summary>Creates an exception.</summary>
    /// <param name="topic">The offending topic.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="paramName">The parameter that carried it.</param>
    public InvalidTopicException(string? topic, Topics.TopicProblem problem, string? paramName = null)
        : base($"Invalid topic '{topic}': {Topics.TopicRules.Describe(problem)}.", paramName)
    {
        Topic = topic;
        Problem = problem;
    }

    /// <summary>The offending topic.</summary>
    public string? Topic { get; }

    /// <summary>What is wrong with it.</summary>
    public Topics.TopicProblem Problem { get; }
}
