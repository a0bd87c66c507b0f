namespace Broker;

/// <content>The hook through which the typed layer reports decode and handler failures as endpoint error events.</content>
public sealed partial class BrokerEndpoint
{
    /// <summary>
    /// Raises <paramref name="error"/> to the endpoint's <see cref="SubscribeEvents"/> subscribers. Called by typed
    /// event and log subscriptions for arity/type mismatches and handler failures, from their own loops (never the
    /// socket read loop).
    /// </summary>
    /// <param name="error">The error event.</param>
    internal void ReportTypedError(ErrorEvent error) => Core.Emit(error);
}
