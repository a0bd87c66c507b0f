namespace Broker.Cli; internal static class Program { private static int Main() { System.Console.Error.WriteLine("broker: not implemented yet"); return 2; } }
