Console.WriteLine("Events: not implemented yet");
