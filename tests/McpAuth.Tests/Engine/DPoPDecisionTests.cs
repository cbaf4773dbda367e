using McpAuth.Engine;
using McpAuth.Protocol;

namespace McpAuth.Tests.Orchestration;

/// <summary>
/// The one decision whether a new credential is DPoP-bound (RFC 9449), <c>GrantExtensions.NewDPoPKey</c>: each
/// <see cref="DPoPMode"/> against what discovery found (the authorization server's §5.1 algorithms, the resource's
/// §5.2 <c>dpop_bound_access_tokens_required</c>); then the same decision through a whole authorization.
/// </summary>
public class DPoPDecisionTests
{
    private static readonly Uri Server = new(OAuthWorld.Server);

    private static DiscoveryResult Discovery(bool required, IReadOnlyList<string>? serverAlgs, IReadOnlyList<string>? resourceAlgs = null,
        bool withResourceMetadata = true) =>
        new(Server, OAuthWorld.Server,
            withResourceMetadata ? new ProtectedResourceMetadata(OAuthWorld.Server, [OAuthWorld.Issuer], null, resourceAlgs, required) : null,
            new Uri(OAuthWorld.Prm),
            new AuthorizationServerMetadata
            {
                Issuer = OAuthWorld.Issuer, TokenEndpoint = new Uri(OAuthWorld.Issuer + "/token"), DPoPSigningAlgValuesSupported = serverAlgs,
            });

    private static IDPoPProofSigner? Decide(DPoPMode mode, DiscoveryResult discovery) =>
        new GrantExtensions(new McpAuthOptions { Grant = { DPoP = mode } }).NewDPoPKey(discovery);

    [Theory]
    [InlineData(DPoPMode.Auto, true)]
    [InlineData(DPoPMode.WhenRequired, false)]
    [InlineData(DPoPMode.Disabled, false)]
    public void Where_the_resource_does_not_require_dpop_only_auto_binds_to_a_server_that_advertises_es256(DPoPMode mode, bool bound)
    {
        var key = Decide(mode, Discovery(required: false, serverAlgs: ["RS256", "ES256"]));

        Assert.Equal(bound, key is not null);
    }

    [Theory]
    [InlineData(DPoPMode.Auto)]
    [InlineData(DPoPMode.WhenRequired)]
    [InlineData(DPoPMode.Disabled)]
    public void Without_es256_at_the_server_and_no_requirement_tokens_are_bearer_in_every_mode(DPoPMode mode)
    {
        Assert.Null(Decide(mode, Discovery(required: false, serverAlgs: ["PS256"])));
        Assert.Null(Decide(mode, Discovery(required: false, serverAlgs: null)));
    }

    [Theory]
    [InlineData(DPoPMode.Auto)]
    [InlineData(DPoPMode.WhenRequired)]
    public void A_resource_that_requires_dpop_gets_a_new_es256_key(DPoPMode mode)
    {
        var first = Decide(mode, Discovery(required: true, serverAlgs: ["ES256"], resourceAlgs: ["ES256", "RS256"]));
        var second = Decide(mode, Discovery(required: true, serverAlgs: ["ES256"]));

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Contains("\"crv\":\"P-256\"", first.PrivateJwk, StringComparison.Ordinal);
        Assert.NotEqual(first.PrivateJwk, second.PrivateJwk);
    }

    [Fact]
    public void A_2025_03_26_server_without_resource_metadata_gets_bearer_tokens_when_dpop_is_only_used_where_required()
    {
        Assert.Null(Decide(DPoPMode.WhenRequired, Discovery(required: false, serverAlgs: ["ES256"], withResourceMetadata: false)));
    }

    [Fact]
    public void Disabled_dpop_for_a_resource_that_requires_it_is_a_typed_error_naming_the_option()
    {
        var e = Assert.Throws<McpAuthException>(() => Decide(DPoPMode.Disabled, Discovery(required: true, serverAlgs: ["ES256"])));

        Assert.Equal(McpAuthErrorCode.DPoPNotSupported, e.Code);
        Assert.Equal("GrantOptions.DPoP is Disabled", e.Detail);
        Assert.Equal(new Uri(OAuthWorld.Prm), e.Endpoint);
        Assert.Contains("requires DPoP-bound tokens", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DPoPMode.Auto)]
    [InlineData(DPoPMode.WhenRequired)]
    public void A_required_resource_whose_server_does_not_advertise_es256_is_a_typed_error(DPoPMode mode)
    {
        var none = Assert.Throws<McpAuthException>(() => Decide(mode, Discovery(required: true, serverAlgs: null)));
        var other = Assert.Throws<McpAuthException>(() => Decide(mode, Discovery(required: true, serverAlgs: ["RS256", "PS256"])));

        Assert.Equal(McpAuthErrorCode.DPoPNotSupported, none.Code);
        Assert.Equal(McpAuthErrorCode.DPoPNotSupported, other.Code);
        Assert.Contains(OAuthWorld.Issuer, other.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_required_resource_that_accepts_no_es256_proof_is_a_typed_error()
    {
        var e = Assert.Throws<McpAuthException>(() =>
            Decide(DPoPMode.WhenRequired, Discovery(required: true, serverAlgs: ["ES256"], resourceAlgs: ["EdDSA"])));

        Assert.Equal(McpAuthErrorCode.DPoPNotSupported, e.Code);
        Assert.Contains("resource", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_login_for_a_resource_that_requires_dpop_stores_a_bound_credential_when_dpop_is_used_only_where_required()
    {
        var world = RequiringWorld();
        world.Http.On("POST", OAuthWorld.Issuer + "/token",
            _ => FakeHttp.Json("""{"access_token":"at-bound","token_type":"DPoP","expires_in":3600}"""));

        var token = await world.Client(new McpAuthOptions { Grant = { DPoP = DPoPMode.WhenRequired } }).AuthorizeAsync(Server, world.Interaction, default);

        var redeem = world.Http.Requests.Single(r => r.Key == "POST https://as.example.com/token");
        Assert.True(token.IsDPoP);
        Assert.True(redeem.Headers.ContainsKey("DPoP"), "the code is redeemed with a proof");
        var stored = Assert.Single((await world.Vault.ListCredentialsAsync(default)).Credentials);
        Assert.NotNull(stored.DPoPPrivateJwk);
        Assert.Equal("DPoP", stored.Tokens.TokenType);
    }

    [Fact]
    public async Task A_login_for_a_resource_the_client_cannot_give_dpop_tokens_fails_before_registration_or_the_browser()
    {
        var world = RequiringWorld();

        var e = await Assert.ThrowsAsync<McpAuthException>(() =>
            world.Client(new McpAuthOptions { Grant = { DPoP = DPoPMode.Disabled } }).AuthorizeAsync(Server, world.Interaction, default));

        Assert.Equal(McpAuthErrorCode.DPoPNotSupported, e.Code);
        Assert.DoesNotContain(world.Http.Keys, k => k.Contains("/authorize", StringComparison.Ordinal) || k.Contains("/register", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Where_dpop_is_only_used_where_required_a_server_that_offers_dpop_still_issues_bearer_tokens_without_proofs()
    {
        var world = new OAuthWorld(asMetadataExtra: ""","dpop_signing_alg_values_supported":["ES256"]""");

        var token = await world.Client(new McpAuthOptions { Grant = { DPoP = DPoPMode.WhenRequired } }).AuthorizeAsync(Server, world.Interaction, default);

        Assert.False(token.IsDPoP);
        Assert.False(world.Http.Requests.Single(r => r.Key == "POST https://as.example.com/token").Headers.ContainsKey("DPoP"));
        Assert.Null(Assert.Single((await world.Vault.ListCredentialsAsync(default)).Credentials).DPoPPrivateJwk);
    }

    /// <summary>The fake world with a resource whose metadata requires DPoP-bound tokens and a server that advertises ES256.</summary>
    private static OAuthWorld RequiringWorld()
    {
        var world = new OAuthWorld(asMetadataExtra: ""","dpop_signing_alg_values_supported":["ES256"]""");
        world.Http.OnJson("GET", OAuthWorld.Prm, $$"""
            {"resource":"{{OAuthWorld.Server}}","authorization_servers":["{{OAuthWorld.Issuer}}"],"dpop_bound_access_tokens_required":true}
            """);
        return world;
    }
}
