using System.Diagnostics;
using System.Text;
using Broker.Errors;
using Broker.Sdk.Tests.TestSupport;
using Broker.Serialization;
using Broker.WebSockets;
using Broker.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Broker.Sdk.Tests.Hardening;

/// <summary>
/// Bounded mutation fuzzing (1.5 s each; 60 s with BROKER_LONG_TESTS=1) of the network decoders that had no such test:
/// handshake messages, envelopes (with routing-update filters and data payloads) seeded from every frame in the
/// golden native captures, and the HTTP upgrade request parser. Each must return a result or throw its documented
/// exception; never anything else. The binary data and JSON decoders have their own fuzz tests
/// (Serialization/DecoderFuzzTests, Json/BrokerJsonPropertyTests). A failure prints the seed and the input.
/// </summary>
public sealed class WireMutationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Budget = Environment.GetEnvironmentVariable("BROKER_LONG_TESTS") == "1" ? TimeSpan.FromSeconds(60) : TimeSpan.FromSeconds(1.5);

    private static readonly byte[] Interesting = [0x00, 0x01, 0x02, 0x05, 0x06, 0x07, 0x08, 0x7F, 0x80, 0xFE, 0xFF, (byte)'\r', (byte)'\n', (byte)':', (byte)' '];

    /// <summary>Every frame payload in the golden native captures (the hex column of the TSV files).</summary>
    internal static List<byte[]> GoldenFrames()
    {
        var frames = new List<byte[]>();
        foreach (var file in Directory.EnumerateFiles(Golden.Path("native"), "*.tsv"))
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.StartsWith('#'))
                {
                    continue;
                }

                var cells = line.Split('\t');
                if (cells.Length > 6 && cells[6].Length > 0 && cells[6].Length % 2 == 0 && cells[6].All(Uri.IsHexDigit))
                {
                    frames.Add(Convert.FromHexString(cells[6]));
                }
            }
        }

        Assert.True(frames.Count > 20, $"expected golden frames in {Golden.Path("native")}, found {frames.Count}");
        return frames;
    }

    internal static byte[] Mutate(Random random, byte[] seed, IReadOnlyList<byte[]> corpus)
    {
        var data = new List<byte>(seed);
        int rounds = 1 + random.Next(4);
        for (int r = 0; r < rounds; r++)
        {
            int at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(7))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 2:
                    int keep = random.Next(data.Count + 1); // truncate
                    data.RemoveRange(keep, data.Count - keep);
                    break;
                case 3:
                    data.Insert(at, (byte)random.Next(256));
                    break;
                case 4 when data.Count > 0:
                    int len = random.Next(Math.Min(16, data.Count - at)) + 1;
                    data.InsertRange(at, data.GetRange(at, Math.Min(len, data.Count - at)));
                    break;
                case 5:
                    var other = corpus[random.Next(corpus.Count)];
                    int from = random.Next(other.Length + 1);
                    data.InsertRange(at, other.Skip(from).Take(random.Next(32)));
                    break;
                default:
                    if (data.Count > 0)
                    {
                        data.RemoveAt(at);
                    }

                    break;
            }
        }

        return data.ToArray();
    }

    private (Random Random, int Seed) Seeded(string what)
    {
        int seed = Environment.GetEnvironmentVariable("BROKER_FUZZ_SEED") is { } s ? int.Parse(s) : Random.Shared.Next();
        output.WriteLine($"{what}: seed {seed} (set BROKER_FUZZ_SEED to replay)");
        return (new Random(seed), seed);
    }

    [Fact]
    public void Mutated_handshake_and_envelope_frames_parse_or_are_rejected_without_exceptions()
    {
        var corpus = GoldenFrames();
        var (random, seed) = Seeded("frames");
        var clock = Stopwatch.StartNew();
        int runs = 0, handshakes = 0, envelopes = 0;
        while (clock.Elapsed < Budget)
        {
            var input = runs % 8 == 0 ? RandomBytes(random) : Mutate(random, corpus[random.Next(corpus.Count)], corpus);
            try
            {
                if (HandshakeMessage.TryParse(input, out _) == HandshakeParseResult.Ok)
                {
                    handshakes++;
                }

                if (Envelope.TryParse(input, out var env))
                {
                    envelopes++;
                    _ = Encoding.UTF8.GetString(env.Topic);
                    if (env.Type == EnvelopeType.RoutingUpdate)
                    {
                        FilterCodec.TryRead(env.Payload, out _, out _);
                    }
                    else if (env.Type == EnvelopeType.Data)
                    {
                        try
                        {
                            BrokerBinary.Decode(env.Payload, BrokerDecodeLimits.Default);
                        }
                        catch (BrokerDecodeException)
                        {
                        }
                    }
                }
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, input {Convert.ToHexString(input)}: {e}");
            }

            runs++;
        }

        output.WriteLine($"{runs} inputs, {handshakes} parsed as handshake messages, {envelopes} as envelopes");
        Assert.True(handshakes > 0 && envelopes > 0, "the mutations should keep some inputs valid");
    }

    [Fact]
    public async Task Mutated_HTTP_upgrade_requests_yield_an_outcome_or_end_of_stream()
    {
        string[] seeds =
        [
            "GET /v1/messages/json HTTP/1.1\r\nHost: 127.0.0.1:9997\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nX-Application-Name: zeek/app\r\n\r\n",
            "GET /v1/messages/json?x=1 HTTP/1.0\r\nupgrade: WebSocket\r\nsec-websocket-key: x\r\nsec-websocket-version: 13\r\n\r\n",
            "POST / HTTP/1.1\r\n\r\n",
        ];
        var corpus = seeds.Select(Encoding.ASCII.GetBytes).ToList();
        var (random, seed) = Seeded("http");
        var clock = Stopwatch.StartNew();
        int runs = 0, upgrades = 0;
        while (clock.Elapsed < Budget)
        {
            var input = Mutate(random, corpus[random.Next(corpus.Count)], corpus);
            try
            {
                var (outcome, key, _) = await HttpUpgrade.ReadRequestAsync(new MemoryStream(input), 512, CancellationToken.None);
                if (outcome == HttpUpgrade.Outcome.Upgrade)
                {
                    Assert.NotNull(key);
                    upgrades++;
                }
            }
            catch (EndOfStreamException)
            {
                // The request head never ended: the documented outcome of a closed connection.
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, input {Convert.ToHexString(input)}: {e}");
            }

            runs++;
        }

        output.WriteLine($"{runs} inputs, {upgrades} accepted as upgrades");
        Assert.True(upgrades > 0, "the mutations should keep some requests valid");
    }

    private static byte[] RandomBytes(Random random)
    {
        var b = new byte[random.Next(64)];
        random.NextBytes(b);
        return b;
    }
}
