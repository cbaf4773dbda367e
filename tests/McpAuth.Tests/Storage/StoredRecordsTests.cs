using McpAuth.Storage;

namespace McpAuth.Tests.Storage;

/// <summary>The stored records hold secrets; printing one (a log line, an assertion message) must show none.</summary>
public sealed class StoredRecordsTests
{
    [Fact]
    public void Printing_a_stored_record_shows_no_secret()
    {
        var credential = new StoredCredential
        {
            Binding = new CredentialBinding("default", "https://mcp.example.com/mcp", "https://as.example.com", "client-1"),
            Tokens = new TokenSet
            {
                AccessToken = "SECRET-access", RefreshToken = "SECRET-refresh", IdToken = "SECRET-id", Scope = "mcp",
                ExpiresAt = DateTimeOffset.UnixEpoch,
            },
            TokenEndpoint = "https://as.example.com/token",
            DPoPPrivateJwk = """{"kty":"EC","d":"SECRET-d"}""",
        };
        var registration = new StoredRegistration
        {
            Issuer = "https://as.example.com", RedirectUri = "http://127.0.0.1/cb", ClientId = "client-1", ClientSecret = "SECRET-client",
            RegistrationClientUri = "https://as.example.com/reg/client-1", RegistrationAccessToken = "SECRET-registration",
        };
        var idToken = new IdentityTokenRecord("default", "https://idp.example.com", "SECRET-idp");

        foreach (var printed in new[] { credential.ToString(), credential.Tokens.ToString(), registration.ToString(), idToken.ToString() })
        {
            Assert.DoesNotContain("SECRET", printed, StringComparison.Ordinal);
        }
        Assert.Contains("client-1", credential.ToString(), StringComparison.Ordinal);
        Assert.Contains("HasRefreshToken = True", credential.ToString(), StringComparison.Ordinal);
    }
}
