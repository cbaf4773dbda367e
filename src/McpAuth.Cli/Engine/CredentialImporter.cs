using McpAuth.Cli.Commands.Import;
using McpAuth.Engine;

namespace McpAuth.Cli.Engine;

/// <summary>
/// <c>mcpauth import</c>, done by the library (<see cref="McpAuthClient.ImportAsync"/>): discovery finds the resource
/// and issuer (RFC 9728, RFC 8414), the tokens are bound (profile, resource, issuer, client id) exactly as a login's,
/// and the client becomes the active one; a client secret is stored as a pre-registered registration.
/// </summary>
internal static class CredentialImporter
{
    public static Task ImportAsync(McpAuthClient client, ImportOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        return client.ImportAsync(options.Server, new ImportedTokens(options.AccessToken, options.ClientId)
        {
            RefreshToken = options.RefreshToken,
            ExpiresAt = options.ExpiresAt,
            ClientSecret = options.ClientSecret,
            TokenEndpoint = options.TokenEndpoint,
            Scope = options.Scope,
            Profile = options.Profile,
        }, cancellationToken);
    }
}
