namespace McpAuth.Cli.Commands.Token;

/// <summary>
/// `mcpauth token` is called before every request by scripts and tools, so its start-up matters: the plain shapes
/// (<c>token URL</c>, <c>token URL --profile P</c>, <c>token URL -p P</c>) are recognised here without System.CommandLine,
/// and the URL is not parsed by System.Uri when it is exactly a stored resource. Anything else (help, errors, other
/// options, URLs that are not plainly http or https) goes through the one full parser (<see cref="CommandTree"/>).
/// Kept because the shipped NativeAOT binary measures it: with a fresh stored token, `mcpauth token` took 5.9-9.4%
/// less CPU with this path than through System.CommandLine (three rounds of 60-100 runs; building only the token verb
/// instead of all seven gained nothing). Figures and commands: benchmarks/results/startup-native.md.
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
        if (!LooksLikeServerUrl(args[1]))
        {
            return null;
        }
        try
        {
            return new TokenOptions(args[1], CommonOptions.ParseProfile(profile));
        }
        catch (CliException)
        {
            return null;
        }
    }

    /// <summary>
    /// The shape of an http(s) URL without a fragment or spaces, checked without System.Uri (whose start-up is several
    /// milliseconds). Full validation follows in the engine unless the URL is exactly a stored resource.
    /// </summary>
    public static bool LooksLikeServerUrl(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var schemeLength = value.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? 8
            : value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? 7
            : 0;
        if (schemeLength == 0 || value.Length == schemeLength)
        {
            return false;
        }
        foreach (var c in value)
        {
            if (c <= ' ' || c == '#' || c >= '\u007f')
            {
                return false;
            }
        }
        return true;
    }
}
