using McpAuth.Engine;
using McpAuth.Storage;

namespace McpAuth.Cli.Engine;

/// <summary>
/// <c>mcpauth logout</c> for one credential, done by the library (<see cref="McpAuthClient.LogoutAsync(StoredCredential, McpAuth.Engine.LogoutOptions?, CancellationToken)"/>:
/// RFC 7009 revocation of the refresh token then the access token, then the credential always cleared); this class
/// only turns the library's result into the CLI's words.
/// </summary>
internal static class TokenRevoker
{
    public static async Task<LogoutAction> LogoutAsync(
        McpAuthClient client, StoredCredential credential, bool keepRegistration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(credential);
        var result = await client.LogoutAsync(credential, new McpAuth.Engine.LogoutOptions { RemoveRegistration = !keepRegistration }, cancellationToken)
            .ConfigureAwait(false);
        var b = result.Binding;
        return new LogoutAction(b.Resource, b.Profile, result.Revocation == RevocationOutcome.Revoked, Note(result, credential), result.Cleared,
            result.RegistrationRemoved, result.RegistrationInUse, result.RegistrationDeletedAtServer, result.RegistrationDeletionError?.Code.ToString());
    }

    /// <summary>Why revocation was skipped or failed, in the CLI's words; null when it worked.</summary>
    public static string? Note(LogoutResult result, StoredCredential credential)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(credential);
        return result.Revocation switch
        {
            RevocationOutcome.Revoked => null,
            RevocationOutcome.NotRequested => "not requested",
            RevocationOutcome.NotSupported => "the authorization server has no revocation endpoint",
            RevocationOutcome.NoClientCredentials =>
                $"the client authenticates with {credential.RevocationEndpointAuthMethod ?? credential.TokenEndpointAuthMethod} and its secret is not stored; revoke it at the server",
            RevocationOutcome.RefreshTokenOnly =>
                "revoked the refresh token; the server does not revoke access tokens (unsupported_token_type), so the access token stays valid "
                + (credential.Tokens.ExpiresAt is { } expiresAt
                    ? $"until it expires at {expiresAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)} UTC"
                    : "until it expires"),
            _ => $"revocation failed: {result.RevocationError?.Code}{(result.RevocationError?.OAuthError is { } error ? $" ({error})" : "")}"
                + (result.RefreshTokenRevoked ? " after the refresh token was revoked" : ""),
        };
    }
}
