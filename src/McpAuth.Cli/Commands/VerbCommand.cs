using System.CommandLine;

namespace McpAuth.Cli.Commands;

/// <summary>A command whose --help ends with examples and the exit codes.</summary>
public class VerbCommand(string name, string description, params string[] examples) : Command(name, description)
{
    /// <summary>Command lines shown under "Examples:" in --help.</summary>
    public IReadOnlyList<string> Examples { get; } = examples;
}
