using System.Diagnostics;
using System.Reflection;

namespace Broker.Generators.Tests.Packaging;

/// <summary>
/// The generator ships inside the Broker.Sdk package: pack it, build a fresh project that references only the package,
/// and run its generated code. Slow (pack + restore + build), so it runs with <c>BROKER_LONG_TESTS=1</c>.
/// </summary>
public class PackageConsumptionTests
{
    private const string Program = """
        using Broker;

        var contract = IDemoEvents.BrokerContract;
        System.Console.WriteLine("events: " + string.Join(",", contract.EventNames));
        System.Console.WriteLine("record: " + new TestInfo("m", 5).ToBrokerData());
        System.Console.WriteLine("topic: " + TestInfo.BrokerLogStream.Topic);

        [BrokerEvents("bro/event/")]
        public partial interface IDemoEvents
        {
            [BrokerEvent("my_event")] void MyEvent(string msg, ulong c);
            [BrokerEvent("my_auto_event", AutoPublish = true)] void MyAutoEvent(string msg, ulong c);
        }

        [LogStream("Test::LOG", Path = "test")]
        public partial record TestInfo(string Msg, ulong Num);
        """;

    [Fact]
    public void A_project_referencing_only_the_package_gets_the_generator()
    {
        if (Environment.GetEnvironmentVariable("BROKER_LONG_TESTS") != "1")
        {
            return; // Long test: see the class summary.
        }

        string repo = Path.GetFullPath(Path.Combine(typeof(PackageConsumptionTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ProjectDir").Value!, "..", ".."));
        string work = Path.Combine(Path.GetTempPath(), "broker-pack-" + Guid.NewGuid().ToString("N")[..8]);
        string feed = Path.Combine(work, "feed");
        string app = Path.Combine(work, "app");
        Directory.CreateDirectory(app);
        try
        {
            // A unique version, so a package cached by an earlier run is never reused.
            string version = "0.0.0-pack." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
            Run(repo, "dotnet", $"pack src/Broker.Sdk -c Release -o \"{feed}\" -p:Version={version} -p:UseSharedCompilation=false");
            Assert.True(File.Exists(Path.Combine(feed, $"Broker.Sdk.{version}.nupkg")), "dotnet pack produced no package");

            File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <WarningsNotAsErrors>NU1603</WarningsNotAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Broker.Sdk" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="broker-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), Program);

            string output = Run(app, "dotnet", "run -c Release -p:UseSharedCompilation=false");
            Assert.Contains("events: my_event,my_auto_event", output, StringComparison.Ordinal);
            Assert.Contains("record: (m, 5)", output.Replace("[", "(").Replace("]", ")"), StringComparison.Ordinal);
            Assert.Contains("topic: bro/log/Test::LOG", output, StringComparison.Ordinal);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // Best effort cleanup of a temp folder.
            }
        }
    }

    private static string Run(string directory, string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{file} {arguments}' did not finish within 5 minutes.");
        }

        string output = stdout.Result + stderr.Result;
        Assert.True(process.ExitCode == 0, $"'{file} {arguments}' failed ({process.ExitCode}):\n{output}");
        return output;
    }
}
