using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Broker.Cli.Tests.TestSupport;

/// <summary>
/// The built <c>broker</c> tool run as a separate process (<c>dotnet broker.dll …</c>) with every stream redirected.
/// stdout lines are kept in order and can be awaited with a deadline; disposing kills the process if it still runs.
/// </summary>
internal sealed class CliProcess : IAsyncDisposable
{
    /// <summary>The default deadline of every wait.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly Channel<string> _stdout = Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = [];
    private readonly List<string> _stderr = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CliProcess(string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(BrokerDll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        Args = args;
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) _stdoutClosed.TrySetResult();
            else _stdout.Writer.TryWrite(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _stderrClosed.TrySetResult();
                return;
            }

            lock (_stderr)
            {
                _stderr.Add(e.Data);
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The operating-system process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The arguments (for messages).</summary>
    public string[] Args { get; }

    /// <summary>stderr lines so far.</summary>
    public IReadOnlyList<string> Stderr
    {
        get
        {
            lock (_stderr)
            {
                return [.. _stderr];
            }
        }
    }

    /// <summary>stdout lines consumed by waits so far, plus any still buffered.</summary>
    public IReadOnlyList<string> Stdout
    {
        get
        {
            while (_stdout.Reader.TryRead(out var line))
            {
                _seen.Add(line);
            }

            return [.. _seen];
        }
    }

    /// <summary>Starts <c>broker</c> with these arguments.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The process.</returns>
    public static CliProcess Start(params string[] args) => new(args);

    /// <summary>Runs a one-shot command to completion, feeding <paramref name="stdin"/> and closing it.</summary>
    /// <param name="stdin">Input text, or null for none.</param>
    /// <param name="args">The command line.</param>
    /// <returns>Exit code, stdout lines and stderr lines.</returns>
    public static async Task<CliResult> RunAsync(string? stdin, params string[] args)
    {
        await using var p = Start(args);
        if (stdin is not null)
        {
            await p.WriteAsync(stdin);
        }

        p.CloseStdin();
        int code = await p.WaitForExitAsync();
        return new CliResult(code, p.Stdout, p.Stderr);
    }

    /// <summary>Writes to stdin.</summary>
    /// <param name="text">The text.</param>
    /// <returns>A task.</returns>
    public async Task WriteAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Kills the process at once (SIGKILL: no BYE, the kernel closes its sockets) and waits for it to end.</summary>
    /// <returns>A task.</returns>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        using var cts = new CancellationTokenSource(DefaultWait);
        await _process.WaitForExitAsync(cts.Token);
    }

    /// <summary>Closes stdin (a node then shuts down, a publisher finishes).</summary>
    public void CloseStdin() => _process.StandardInput.Close();

    /// <summary>Waits for the next stdout line satisfying <paramref name="predicate"/> (earlier lines are kept in <see cref="Stdout"/>).</summary>
    /// <param name="predicate">The condition on the parsed JSON line.</param>
    /// <param name="what">What is awaited, for the failure message.</param>
    /// <param name="timeout">The deadline (default <see cref="DefaultWait"/>).</param>
    /// <returns>The matching line, parsed.</returns>
    public async Task<JsonObject> WaitForLineAsync(Func<JsonObject, bool> predicate, string what, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultWait);
        try
        {
            while (true)
            {
                string line = await _stdout.Reader.ReadAsync(cts.Token);
                _seen.Add(line);
                if (JsonNode.Parse(line) is JsonObject obj && predicate(obj))
                {
                    return obj;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"broker {string.Join(' ', Args)}: no stdout line '{what}' within {(timeout ?? DefaultWait).TotalSeconds} s.\n" +
                $"stdout:\n{string.Join('\n', _seen)}\nstderr:\n{string.Join('\n', Stderr)}\nexited: {_process.HasExited}");
        }
    }

    /// <summary>Waits for a <c>status</c> line with this code.</summary>
    /// <param name="code">e.g. <c>peer_added</c>.</param>
    /// <returns>The line.</returns>
    public Task<JsonObject> WaitForStatusAsync(string code) =>
        WaitForLineAsync(o => (string?)o["kind"] == "status" && (string?)o["code"] == code, $"status {code}");

    /// <summary>The port of the node's <c>listening</c> line for a protocol.</summary>
    /// <param name="protocol"><c>native</c> or <c>websocket</c>.</param>
    /// <returns>The port.</returns>
    public async Task<int> WaitForListeningPortAsync(string protocol = "native") =>
        (int)(await WaitForLineAsync(o => (string?)o["code"] == "listening" && (string?)o["protocol"] == protocol, $"listening {protocol}"))["port"]!;

    /// <summary>Waits for the process to exit and its output to drain.</summary>
    /// <param name="timeout">The deadline (default <see cref="DefaultWait"/>).</param>
    /// <returns>The exit code.</returns>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultWait);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"broker {string.Join(' ', Args)} did not exit within {(timeout ?? DefaultWait).TotalSeconds} s.\n" +
                $"stdout:\n{string.Join('\n', Stdout)}\nstderr:\n{string.Join('\n', Stderr)}");
        }

        return _process.ExitCode;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private static string BrokerDll { get; } = FindBrokerDll();

    // The test project references the CLI project, so broker.dll and its runtimeconfig sit beside the tests.
    private static string FindBrokerDll()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "broker.dll");
        if (!File.Exists(path) || !File.Exists(Path.Combine(AppContext.BaseDirectory, "broker.runtimeconfig.json")))
        {
            throw new InvalidOperationException($"broker.dll (with broker.runtimeconfig.json) not found in {AppContext.BaseDirectory}; build tests/Broker.Cli.Tests");
        }

        return path;
    }
}

/// <summary>The outcome of a one-shot command.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Stdout">stdout lines.</param>
/// <param name="Stderr">stderr lines.</param>
internal sealed record CliResult(int ExitCode, IReadOnlyList<string> Stdout, IReadOnlyList<string> Stderr)
{
    /// <summary>All of stderr as one text (for assertions and messages).</summary>
    public string ErrorText => string.Join('\n', Stderr);

    /// <inheritdoc/>
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{string.Join('\n', Stdout)}\nstderr:\n{ErrorText}";
}
