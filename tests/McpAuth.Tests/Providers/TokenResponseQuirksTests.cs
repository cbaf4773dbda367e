using McpAuth.Storage;
using McpAuth.Protocol;
using static McpAuth.Tests.Protocol.ProtocolTestSupport;

namespace McpAuth.Tests.Providers;

/// <summary>
/// The token response reader and error classifier on the documented deviations of real providers (each source is in
/// <see cref="TokenEndpointMessages.Read"/> and <see cref="OAuthResponseReader"/>), beside the fixed matrix of
/// <c>TokenEndpointMessagesTests</c>, which must still hold for every response below that is not a quirk.
/// </summary>
public class TokenResponseQuirksTests
{
    [Theory]
    [MemberData(nameof(Protocol.ErrorMatrix.Names), MemberType = typeof(Protocol.ErrorMatrix))]
    public void The_fixed_matrix_still_classifies_every_failure(string name) =>
        Protocol.ErrorMatrix.AssertClassified(name, r => TokenEndpointMessages.Read(r));

    [Fact]
    public void Slack_user_token_nested_in_authed_user_is_read_as_a_bearer_token_with_its_rotated_refresh_token()
    {
        // https://api.slack.com/methods/oauth.v2.access: user scopes only, token rotation on.
        var response = TokenEndpointMessages.Read(Json(200, """
            {"ok":true,"app_id":"A1","team":{"id":"T1"},"authed_user":{"id":"U1","scope":"search:read",
             "access_token":"xoxe.xoxp-1","token_type":"user","refresh_token":"xoxe-1-r","expires_in":43200}}
            """));

        Assert.Equal(("xoxe.xoxp-1", "Bearer", "xoxe-1-r", "search:read"), (response.AccessToken, response.TokenType, response.RefreshToken, response.Scope));
        Assert.Equal(TimeSpan.FromHours(12), response.ExpiresIn);
    }

    [Fact]
    public void Slack_bot_token_at_the_top_level_gives_way_to_the_user_token()
    {
        var response = TokenEndpointMessages.Read(Json(200, """
            {"ok":true,"access_token":"xoxb-bot","token_type":"bot","scope":"chat:write",
             "authed_user":{"id":"U1","access_token":"xoxp-user","token_type":"user","scope":"search:read"}}
            """));

        Assert.Equal(("xoxp-user", "Bearer"), (response.AccessToken, response.TokenType));
    }

    [Fact]
    public void A_standard_top_level_token_wins_over_an_authed_user_without_a_token()
    {
        var response = TokenEndpointMessages.Read(Json(200, """
            {"access_token":"at","token_type":"Bearer","authed_user":{"id":"U1"}}
            """));

        Assert.Equal("at", response.AccessToken);
    }

    [Theory]
    [InlineData("""{"ok":false,"error":"invalid_refresh_token"}""", McpAuthErrorCode.InvalidGrant)] // Slack
    [InlineData("""{"ok":false,"error":"token_revoked"}""", McpAuthErrorCode.InvalidGrant)] // Slack
    [InlineData("""{"error":"bad_refresh_token","error_description":"The refresh token passed is incorrect or expired."}""", McpAuthErrorCode.InvalidGrant)] // GitHub
    [InlineData("""{"error":"bad_verification_code"}""", McpAuthErrorCode.InvalidGrant)] // GitHub
    [InlineData("""{"error":"incorrect_client_credentials"}""", McpAuthErrorCode.InvalidClient)] // GitHub
    public void Errors_inside_an_http_200_are_classified_by_what_they_mean(string body, McpAuthErrorCode code)
    {
        var e = Assert.Throws<McpAuthException>(() => TokenEndpointMessages.Read(Json(200, body)));

        Assert.Equal(code, e.Code);
        Assert.Equal(200, e.StatusCode);
        Assert.NotNull(e.OAuthError);
    }

    [Fact]
    public void NetSuite_like_strings_for_numbers_and_null_members_read_as_values_and_absent()
    {
        var response = TokenEndpointMessages.Read(Json(200, """
            {"access_token":"at","token_type":"bearer","expires_in":"3600","refresh_token":null,"scope":null,"id_token":null}
            """));

        Assert.Equal(TimeSpan.FromHours(1), response.ExpiresIn);
        Assert.Null(response.RefreshToken);
        Assert.Null(response.Scope);
        Assert.Null(response.IdToken);
    }

    [Fact]
    public void A_fraction_in_a_string_is_truncated_like_a_fraction_in_a_number()
    {
        Assert.Equal(TimeSpan.FromSeconds(3600), TokenEndpointMessages.Read(Json(200, """{"access_token":"at","token_type":"Bearer","expires_in":"3600.0"}""")).ExpiresIn);
    }

    [Fact]
    public void A_rotated_refresh_token_is_kept_when_other_members_are_odd()
    {
        var response = TokenEndpointMessages.Read(Json(200, """
            {"access_token":"at","refresh_token":"rt-new","expires_in":"soon","scope":42,"id_token":{"x":1}}
            """));

        Assert.Equal(("at", "rt-new", "Bearer"), (response.AccessToken, response.RefreshToken, response.TokenType));
        Assert.Null(response.ExpiresIn);
        Assert.Null(response.Scope);
        Assert.Null(response.IdToken);
    }

    [Theory]
    [InlineData("""{"access_token":"at","expires_in":60}""", "token_type")]
    [InlineData("""{"access_token":"at","token_type":"Bearer","expires_in":"soon"}""", "expires_in")]
    public void Without_a_refresh_token_a_missing_type_or_malformed_member_is_still_an_error(string body, string member)
    {
        var e = Assert.Throws<McpAuthException>(() => TokenEndpointMessages.Read(Json(200, body)));

        Assert.Equal(McpAuthErrorCode.InvalidResponse, e.Code);
        Assert.Contains(member, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_token_set_records_when_it_was_issued_so_its_lifetime_is_known()
    {
        var now = new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

        var tokens = TokenEndpointMessages.Read(Json(200, """{"access_token":"at","token_type":"Bearer","expires_in":60}""")).ToTokenSet(now);

        Assert.Equal((now, now.AddSeconds(60)), (tokens.IssuedAt, tokens.ExpiresAt));
    }
}
