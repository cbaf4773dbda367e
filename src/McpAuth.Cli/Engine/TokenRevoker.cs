using McpAuth.Engine;

namespace McpAuth.Cli.Engine;

/// <summary>Turns what the library's logout did for one credential (<see cref="LogoutResult"/>) into the CLI's words.</summary>
internal static class TokenRevoker
{
    public static LogoutAction ToAction(LogoutResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var b = result.Binding;
        return new LogoutAction(b.Resource, b.Profile, result.Revocation == RevocationOutcome.Revoked, Note(result), result.Cleared,
            result.RegistrationRemoved, result.RegistrationInUse, result.RegistrationDeletedAtServer, result.RegistrationDeletionError?.Code.ToString())
        {
            RefreshTokenRevoked = result.Revocation == RevocationOutcome.RefreshTokenOnly || result.RefreshTokenRevoked,
        };
    }

    /// <summary>Why revocation was skipped or failed, in the CLI's words; null when it worked.</summary>
    public static string? Note(LogoutResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Revocation switch
        {
            RevocationOutcome.Revoked => null,
            RevocationOutcome.NotRequested => "not requested",
            RevocationOutcome.NotSupported => "the authorization server has no revocation endpoint",
            RevocationOutcome.NoClientCredentials => "the client authenticates with a secret that is not stored; revoke it at the server",
            RevocationOutcome.RefreshTokenOnly =>
                "revoked the refresh token; the server does not revoke access tokens (unsupported_token_type), so the access token stays valid "
                + (result.AccessTokenExpiresAt is { } expiresAt
                    ? $"until it expires at {expiresAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)} UTC"
                    : "until it expires"),
            _ when result.RefreshTokenRevoked =>
                $"revoked the refresh token; revoking the access token failed ({Failure(result)}), so it stays valid until it expires",
            _ => $"revocation failed: {Failure(result)}",
        };
    }

    private static string Failure(LogoutResult result) =>
        $"{result.RevocationError?.Code}{(result.RevocationError?.OAuthError is { } error ? $" ({error})" : "")}";
}
