Console.WriteLine("Stores: not implemented yet");
