Console.WriteLine("Quickstart: not implemented yet");
