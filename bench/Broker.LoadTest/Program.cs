Console.WriteLine("load tests: not implemented yet");
