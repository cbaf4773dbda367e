// Writes one line, as `mcpauth token` does, and exits.
Console.Out.Write("empty\n");
