using Broker.Data;
using Broker.Errors;

namespace Broker.Typed;

/// <summary>
/// A Broker value could not be converted to the declared .NET type of an event argument or record field, or an
/// event arrived with the wrong number of arguments. The message names the event or record, the member and both types.
/// </summary>
public sealed class BrokerConversionException : BrokerException
{
    /// <summary>Creates an exception.</summary>
    /// <param name="message">What went wrong, naming the owner, the member and the types.</param>
    /// <param name="owner">The event name or record type that was being decoded.</param>
    /// <param name="member">The argument or field name, or null for an arity or shape mismatch of the whole value.</param>
    /// <param name="expectedType">The declared .NET type (C# spelling).</param>
    /// <param name="actualKind">The Broker type of the value received, when one value was at fault.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public BrokerConversionException(string message, string owner, string? member, string expectedType, BrokerDataKind? actualKind, Exception? innerException = null)
        : base(BrokerErrorCode.TypeClash, message, innerException)
    {
        Owner = owner;
        Member = member;
        ExpectedType = expectedType;
        ActualKind = actualKind;
    }

    /// <summary>The event name or record type that was being decoded.</summary>
    public string Owner { get; }

    /// <summary>The argument or field name, or null when the whole value had the wrong shape.</summary>
    public string? Member { get; }

    /// <summary>The declared .NET type (C# spelling).</summary>
    public string ExpectedType { get; }

    /// <summary>The Broker type of the offending value, when one value was at fault.</summary>
    public BrokerDataKind? ActualKind { get; }
}
