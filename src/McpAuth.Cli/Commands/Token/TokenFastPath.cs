namespace McpAuth.Cli.Commands.Token;

/// <summary>
/// `mcpauth token` is called before every request by scripts and tools, so its startup matters: the plain shapes
/// (<c>token URL</c>, <c>token URL --profile P</c>, <c>token URL -p P</c>) are recognised here without building the
/// System.CommandLine tree. Anything else (help, errors, other options) goes through the full parser.
/// </summary>
public static class TokenFastPath
{
    public static TokenOptions? TryParse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count is not (2 or 4) || args[0] != "token" || args[1].StartsWith('-'))
        {
            return null;
        }
        var profile = CommonOptions.DefaultProfile;
        if (args.Count == 4)
        {
            if (args[2] is not ("--profile" or "-p") || args[3].StartsWith('-'))
            {
                return null;
            }
            profile = args[3];
        }
        try
        {
            return new TokenOptions(CommonOptions.ParseServerUrl(args[1]), CommonOptions.ParseProfile(profile));
        }
        catch (CliException)
        {
            return null;
        }
    }
}
