if (args.Length > 0 && args[0] == "ws") { await WebSocketMode.RunAsync(args[1..]); return; }
Console.WriteLine("load tests: not implemented yet");
