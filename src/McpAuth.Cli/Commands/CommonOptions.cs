using System.CommandLine;

namespace McpAuth.Cli.Commands;

/// <summary>Options and arguments several verbs share, with one definition each.</summary>
public static class CommonOptions
{
    public const string DefaultProfile = "default";

    public static Option<string> Profile() => new("--profile", "-p")
    {
        Description = "The account or profile on the server (several accounts on one server never mix)",
        DefaultValueFactory = _ => DefaultProfile,
        HelpName = "name",
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print the result as JSON on stdout",
    };

    /// <summary>A client secret: <c>--client-secret -</c>, <c>--client-secret-env VAR</c> or <c>--ask-client-secret</c>.</summary>
    public static SecretInput ClientSecret() => new("client-secret", "the client secret", "Client secret");

    public static Argument<string> ServerUrl() => new("server-url")
    {
        Description = "The MCP server URL (https, or http on loopback)",
    };

    public static Argument<string?> OptionalServerUrl() => new("server-url")
    {
        Description = "The MCP server URL; all servers when omitted",
        Arity = ArgumentArity.ZeroOrOne,
    };

    /// <summary>Parses a server URL: absolute http or https, no fragment.</summary>
    /// <exception cref="CliException">The URL is not usable.</exception>
    public static Uri ParseServerUrl(string? value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp) || url.Fragment.Length > 0)
        {
            throw new CliException($"'{value}' is not an http or https server URL.");
        }
        return url;
    }

    /// <summary>Parses a profile name: non-empty, printable, no path separators.</summary>
    public static string ParseProfile(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || HasControlCharacter(value) || value.Length > 128)
        {
            throw new CliException("--profile must be a non-empty name of at most 128 printable characters.");
        }
        return value;
    }

    // A loop, not LINQ's Any over string: that generic instantiation would be JIT-compiled on every `mcpauth token`.
    private static bool HasControlCharacter(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }
        return false;
    }
}
