namespace McpAuth.Cli.Engine;

/// <summary>Creates the engine for this process: the store the environment chooses (<see cref="CliStore.Open"/>) and the engine over it.</summary>
internal static class EngineFactory
{
    /// <exception cref="McpAuthException">A store variable is missing or wrong; the message names it.</exception>
    public static CliEngine Create(CliContext cli) => new(cli, CliStore.Open(cli));
}
