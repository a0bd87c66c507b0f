using System.Diagnostics;
using System.Threading.Channels;
using Broker.Data;
using Broker.WebSockets;
using static Broker.Sdk.Tests.WebSockets.WsTestSupport;

namespace Broker.Sdk.Tests.WebSockets;

/// <summary>
/// A client nobody here wrote — Debian's python3-websocket (websocket-client), installed by .ci/run — against
/// our server: handshake, publish, receive, an error frame.
/// </summary>
public sealed class ThirdPartyClientTests
{
    private const string Script = """
        import json, sys, websocket
        ws = websocket.create_connection(sys.argv[1], timeout=10)
        ws.send(json.dumps(["/py/to-python/"]))
        ack = json.loads(ws.recv())
        print("ACK", ack["type"], ack["endpoint"], flush=True)
        ws.send(json.dumps({"type": "data-message", "topic": "/py/to-dotnet/hello", "@data-type": "vector",
                            "data": [{"@data-type": "count", "data": 42}, {"@data-type": "string", "data": "from python \u00e4"},
                                     {"@data-type": "real", "data": 0.5}]}))
        ws.send("How is it going?")
        print("ERR", ws.recv(), flush=True)
        print("READY", flush=True)
        print("DATA", ws.recv(), flush=True)
        ws.close()
        """;

    [Fact]
    public async Task Python_websocket_client_talks_to_our_server()
    {
        string pythonExe = FindPythonWithWebSocket();
        var host = new BrokerEndpoint();
        var bound = await host.ListenWebSocketAsync();
        string script = Path.Combine(Path.GetTempPath(), $"broker-ws-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(script, Script);
        try
        {
            await using var dotnet = await BrokerWebSocketClient.ConnectAsync(Uri(bound), ["/py/to-dotnet/"], null, Timeout());
            using var python = Process.Start(new ProcessStartInfo(pythonExe, [script, Uri(bound).ToString()])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var lines = Channel.CreateUnbounded<string>();
            python.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null) lines.Writer.TryWrite(e.Data);
                else lines.Writer.TryComplete();
            };
            python.BeginOutputReadLine();
            var stderr = python.StandardError.ReadToEndAsync();

            async Task<string> Line()
            {
                try
                {
                    return await lines.Reader.ReadAsync(Timeout());
                }
                catch (ChannelClosedException)
                {
                    throw new InvalidOperationException("python exited early: " + await stderr);
                }
            }

            Assert.Equal($"ACK ack {host.Id}", await Line());
            Assert.Equal("ERR {\"type\":\"error\",\"code\":\"deserialization_failed\",\"context\":\"input #2 contained malformed JSON -> caf::pec::unexpected_character(1, 1)\"}", await Line());

            var fromPython = await dotnet.ReceiveAsync(Timeout());
            Assert.Equal("/py/to-dotnet/hello", fromPython.Topic);
            Assert.Equal(BrokerData.Vector(42UL, "from python ä", 0.5), fromPython.Data);

            Assert.Equal("READY", await Line());
            dotnet.Publish("/py/to-python/x", BrokerData.Vector(BrokerData.Port(443, PortProtocol.Tcp), BrokerData.Timestamp(1_700_000_000_123_456_789)));
            Assert.Equal(
                "DATA {\"type\":\"data-message\",\"topic\":\"/py/to-python/x\",\"@data-type\":\"vector\",\"data\":[{\"@data-type\":\"port\",\"data\":\"443/tcp\"},{\"@data-type\":\"timestamp\",\"data\":\"2023-11-14T22:13:20.123\"}]}",
                await Line());
            await python.WaitForExitAsync(Timeout());
            Assert.Equal(0, python.ExitCode);
        }
        finally
        {
            File.Delete(script);
            await host.StopWebSocketsAsync();
        }
    }

    // Debian's package installs into the system interpreter, which a pyenv (or similar) python3 on PATH may hide.
    private static string FindPythonWithWebSocket()
    {
        foreach (var candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                using var check = Process.Start(new ProcessStartInfo(candidate, ["-c", "import websocket"]) { RedirectStandardError = true })!;
                check.WaitForExit();
                if (check.ExitCode == 0)
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
            }
        }

        throw new InvalidOperationException("This test needs python3 with the websocket-client module (Debian: apt-get install python3-websocket; .ci/run installs it).");
    }
}
