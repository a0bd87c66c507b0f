using Broker.Errors;

namespace Broker.Cli;

/// <summary>How one-shot commands reach their peer: a single attempt, bounded by the command's deadline.</summary>
internal static class Peering
{
    /// <summary>Peers once with <paramref name="peer"/>.</summary>
    /// <param name="endpoint">The local endpoint.</param>
    /// <param name="peer">The remote node.</param>
    /// <param name="timeout">The command's --timeout (null: the SDK's handshake timeout bounds the attempt).</param>
    /// <param name="deadline">Fires at the command's deadline.</param>
    /// <param name="interrupt">Fires on Ctrl-C / SIGTERM.</param>
    /// <returns>The peer.</returns>
    /// <exception cref="CliException">Unreachable (5), timeout (4) or interrupted (1).</exception>
    public static async Task<PeerInfo> ConnectAsync(BrokerEndpoint endpoint, HostPort peer, TimeSpan? timeout, CancellationToken deadline, CancellationToken interrupt)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(deadline, interrupt);
        try
        {
            return await endpoint.PeerAsync(peer.Host, peer.Port, retry: null, both.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !interrupt.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Timeout, $"timed out after {Durations.Format(timeout ?? TimeSpan.Zero)} peering with {peer}");
        }
        catch (BrokerException ex) when (ex.Code is BrokerErrorCode.PeerTimeout or BrokerErrorCode.ConnectionTimeout)
        {
            throw new CliException(ExitCodes.Timeout, $"timed out peering with {peer}: {ex.Message}", ex);
        }
        catch (BrokerException ex)
        {
            throw new CliException(ExitCodes.Unreachable, $"cannot peer with {peer}: {ex.Code.Name()}: {ex.Message}", ex);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new CliException(ExitCodes.Unreachable, $"cannot peer with {peer}: {ex.Message}", ex);
        }
    }

    /// <summary>A token that fires after <paramref name="timeout"/> (never when null).</summary>
    /// <param name="timeout">The timeout.</param>
    /// <returns>The source; dispose it.</returns>
    public static CancellationTokenSource Deadline(TimeSpan? timeout) =>
        timeout is { } t ? new CancellationTokenSource(t) : new CancellationTokenSource();
}
