Console.WriteLine("Connecting: not implemented yet");
