using McpAuth.Cli.Engine;
using McpAuth.Engine;
using McpAuth.Storage;

namespace McpAuth.Cli.Tests.Commands;

/// <summary><see cref="TokenRevoker.Note"/>: what logout says happened to each token.</summary>
public class TokenRevokerNoteTests
{
    private static readonly CredentialBinding Binding = new("default", "https://mcp.example.com/mcp", "https://as.example.com", "c");

    [Fact]
    public void A_jwt_access_token_the_server_does_not_revoke_is_not_called_a_failed_revocation()
    {
        var error = new McpAuthException(McpAuthErrorCode.UnsupportedGrantType, "unsupported_token_type") { OAuthError = "unsupported_token_type" };
        var result = new LogoutResult(Binding, true, false, RevocationOutcome.RefreshTokenOnly, error, true, false)
        {
            AccessTokenExpiresAt = new DateTimeOffset(2026, 12, 6, 13, 0, 0, TimeSpan.Zero),
        };

        var note = TokenRevoker.Note(result);

        Assert.Equal("revoked the refresh token; the server does not revoke access tokens (unsupported_token_type), so the access "
            + "token stays valid until it expires at 2026-12-06 13:00:00 UTC", note);
    }

    [Fact]
    public void Without_a_known_expiry_the_note_says_until_it_expires()
    {
        var result = new LogoutResult(Binding, true, false, RevocationOutcome.RefreshTokenOnly, null, true, false);

        Assert.EndsWith("stays valid until it expires", TokenRevoker.Note(result), StringComparison.Ordinal);
    }

    [Fact]
    public void A_real_failure_still_says_revocation_failed()
    {
        var error = new McpAuthException(McpAuthErrorCode.TemporarilyUnavailable) { OAuthError = "temporarily_unavailable" };
        var result = new LogoutResult(Binding, false, false, RevocationOutcome.Failed, error, true, false);

        Assert.StartsWith("revocation failed: TemporarilyUnavailable", TokenRevoker.Note(result), StringComparison.Ordinal);
    }
}
