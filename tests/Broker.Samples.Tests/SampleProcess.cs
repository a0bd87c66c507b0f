using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Threading.Channels;

namespace Broker.Samples.Tests;

/// <summary>
/// One built sample running as a real OS process (<c>dotnet Sample.dll args</c>): stdout lines are read
/// asynchronously into a channel; every wait has a deadline; disposing kills the process tree if it is still running.
/// </summary>
public sealed class SampleProcess : IAsyncDisposable
{
    /// <summary>Generous per-wait deadline: CI shares 2 cores between builds and tests.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _all = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SampleProcess(string sample, string[] args)
    {
        Name = $"{sample} {string.Join(' ', args)}";
        // The dotnet CLI tells child processes which host runs them; plain "dotnet" from PATH otherwise.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(SampleDll(sample));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
                _stdoutClosed.TrySetResult();
                return;
            }

            lock (_all) _all.Add(e.Data);
            _lines.Writer.TryWrite(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr) _stderr.AppendLine(e.Data);
            }
        };
    }

    /// <summary>The sample and its arguments, for messages.</summary>
    public string Name { get; }

    /// <summary>Every stdout line read so far.</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_all) return _all.ToArray();
        }
    }

    /// <summary>Everything written to stderr so far.</summary>
    public string Errors
    {
        get
        {
            lock (_stderr) return _stderr.ToString();
        }
    }

    /// <summary>Starts <c>dotnet &lt;sample&gt;.dll args</c>.</summary>
    public static SampleProcess Start(string sample, params string[] args)
    {
        var process = new SampleProcess(sample, args);
        process._process.Start();
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits for the next stdout line; fails with the output so far when none comes before the deadline.</summary>
    public async Task<string> NextLineAsync()
    {
        using var cts = new CancellationTokenSource(Deadline);
        try
        {
            if (await _lines.Reader.WaitToReadAsync(cts.Token) && _lines.Reader.TryRead(out var line))
            {
                return line;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name}: no output line within {Deadline.TotalSeconds} s.{Describe()}");
        }

        throw new InvalidOperationException($"{Name}: the process ended its output early.{Describe()}");
    }

    /// <summary>Waits for the process to exit and for its output to be read completely; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var cts = new CancellationTokenSource(Deadline);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await _stdoutClosed.Task.WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name}: did not exit within {Deadline.TotalSeconds} s.{Describe()}");
        }

        return _process.ExitCode;
    }

    /// <summary>Completes when the process has exited.</summary>
    public Task Exited => _process.WaitForExitAsync();

    /// <summary>What the process printed, for failure messages.</summary>
    public string Describe() =>
        $"\n--- stdout of {Name} ---\n{string.Join('\n', Output)}\n--- stderr ---\n{Errors}";

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(Deadline);
                await _process.WaitForExitAsync(cts.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>A port that was free a moment ago (bind port 0, read it, close).</summary>
    public static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>The repository root, recorded at build time (falls back to walking up to Broker.Sdk.sln).</summary>
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Broker.Sdk.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException($"Broker.Sdk.sln not found above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>The built sample, in the test assembly's own configuration (Debug locally, Release in CI).</summary>
    public static string SampleDll(string sample)
    {
        var configuration = typeof(SampleProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(RepoRoot, "samples", sample, "bin", configuration, "net10.0", sample + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Sample {sample} is not built at {dll}; build tests/Broker.Samples.Tests (it references every sample).", dll);
        }

        return dll;
    }
}
