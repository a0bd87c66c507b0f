if (args is ["stores", ..]) Environment.Exit(await Broker.LoadTest.StoresMode.RunAsync(args[1..]));
Console.WriteLine("load tests: not implemented yet");
