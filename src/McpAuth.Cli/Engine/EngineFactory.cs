namespace McpAuth.Cli.Engine;

/// <summary>Creates the engine adapter for this process (store under the McpAuth home, the library's engine).</summary>
internal static class EngineFactory
{
    /// <summary>Not wired yet: the McpAuth engine has not landed in this build. Says so; nothing is faked.</summary>
    public static ICliEngine Create(CliContext cli) =>
        throw new CliException("This build of mcpauth has no engine yet (login, token, status, logout and import need it).");
}
