using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace McpAuth.Cli.Commands;

/// <summary>The standard help, followed by the command's examples and the exit codes.</summary>
internal sealed class HelpWithExamplesAction(HelpAction standard) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        var result = standard.Invoke(parseResult);
        var output = parseResult.InvocationConfiguration.Output;
        if (parseResult.CommandResult.Command is VerbCommand { Examples.Count: > 0 } verb)
        {
            output.WriteLine("Examples:");
            foreach (var example in verb.Examples)
            {
                output.WriteLine($"  {example}");
            }
            output.WriteLine();
        }
        output.WriteLine(ExitCodes.HelpText);
        output.WriteLine();
        output.WriteLine("Environment:\n  MCPAUTH_HOME  where credentials and locks are kept (default ~/.config/mcpauth)\n  NO_COLOR      disables color\n"
            + "  MCPAUTH_STORE=postgres  credentials in PostgreSQL, shared by several machines: MCPAUTH_POSTGRES_CONNECTION(_FILE),\n"
            + "                          MCPAUTH_STORE_KEY(_FILE), MCPAUTH_STORE_PREVIOUS_KEYS(_FILE) (key rotation),\n"
            + "                          MCPAUTH_POSTGRES_SCHEMA (see the README)");
        return result;
    }

    /// <summary>Replaces the help action of every help option in the tree rooted at <paramref name="root"/>.</summary>
    public static void Install(Command root)
    {
        foreach (var option in root.Options)
        {
            if (option is HelpOption { Action: HelpAction standard } help)
            {
                help.Action = new HelpWithExamplesAction(standard);
            }
        }
    }
}
