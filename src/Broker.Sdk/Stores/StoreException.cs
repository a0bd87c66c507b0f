using Broker.Errors;

namespace Broker.Stores;

/// <summary>A data-store operation failed; <see cref="BrokerException.Code"/> says why (no_such_key, type_clash, ...).</summary>
public class StoreException : BrokerException
{
    /// <summary>Creates an exception.</summary>
    /// <param name="code">Broker's error code.</param>
    /// <param name="store">The store name.</param>
    /// <param name="operation">The operation, e.g. <c>increment</c>.</param>
    /// <param name="message">What went wrong (without the store and operation, which are prepended).</param>
    /// <param name="innerException">The cause, if any.</param>
    public StoreException(BrokerErrorCode code, string store, string operation, string message, Exception? innerException = null)
        : base(code, $"{code.Name()}: store '{store}', {operation}: {message}", innerException)
    {
        Store = store;
        Operation = operation;
    }

    /// <summary>The store name.</summary>
    public string Store { get; }

    /// <summary>The operation that failed.</summary>
    public string Operation { get; }
}

/// <summary>A store query got no answer within its timeout (request_timeout).</summary>
public sealed class StoreTimeoutException : StoreException
{
    /// <summary>Creates an exception.</summary>
    /// <param name="store">The store name.</param>
    /// <param name="operation">The operation.</param>
    /// <param name="waited">How long the caller waited.</param>
    public StoreTimeoutException(string store, string operation, TimeSpan waited)
        : base(BrokerErrorCode.RequestTimeout, store, operation, $"no answer after {waited.TotalMilliseconds:0.###} ms")
    {
        Waited = waited;
    }

    /// <summary>How long the caller waited.</summary>
    public TimeSpan Waited { get; }
}
