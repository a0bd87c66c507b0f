Console.WriteLine("Printing: not implemented yet");
