namespace McpAuth.Cli.Commands;

/// <summary>
/// The run step of verbs whose engine has not landed in this build. Says so plainly and exits 1: nothing is faked.
/// </summary>
internal static class NotYetAvailable
{
    public static Task<int> Fail<TOptions>(string verb, string missing) =>
        throw new CliException($"'mcpauth {verb}' is not available in this build yet: it needs {missing}.");
}
