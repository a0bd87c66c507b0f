Console.WriteLine("Logs: not implemented yet");
