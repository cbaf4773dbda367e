using McpAuth.Engine;
using McpAuth.Tests.Orchestration;

namespace McpAuth.Tests.Providers;

/// <summary>
/// Registrations that are refused, forgotten or forced, the client authentication method, logout wording and the
/// refresh margin of short-lived tokens, through the engine against provider emulations.
/// </summary>
public class RegistrationAndLifetimeTests
{
    private static readonly Uri Server = ProviderWorld.Server;

    private const string S256 = ""","code_challenge_methods_supported":["S256"]""";

    private static ProviderWorld World()
    {
        var world = new ProviderWorld();
        world.Metadata(S256);
        return world;
    }

    private sealed class NoCallback : IAuthorizationInteraction
    {
        public Task<Uri> AuthorizeAsync(Uri authorizationUrl, Uri redirectUri, CancellationToken cancellationToken) =>
            throw new TimeoutException("no callback arrived");
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task Okta_and_Keycloak_refusing_anonymous_registration_name_the_client_id_and_registration_token_flags(int status)
    {
        var world = World();
        world.World.Http.On("POST", $"{ProviderWorld.Issuer}/register", _ => FakeHttp.Json("""{"error":"invalid_token"}""", status));

        var e = await Assert.ThrowsAsync<McpAuthException>(() => world.Client().AuthorizeAsync(Server, world.World.Interaction, default));

        Assert.Equal(McpAuthErrorCode.RegistrationFailed, e.Code);
        Assert.Equal(status, e.StatusCode);
        Assert.Equal(ProviderHints.RegistrationRefused, e.Hint);
        Assert.Contains("--client-id", e.Message, StringComparison.Ordinal);
        Assert.Contains("--registration-token-env", e.Message, StringComparison.Ordinal);
        Assert.Empty(world.TokenRequests);
    }

    [Fact]
    public async Task An_initial_access_token_is_sent_as_a_bearer_token_with_the_registration()
    {
        var world = World();
        string? sent = null;
        world.World.Http.On("POST", $"{ProviderWorld.Issuer}/register", r =>
        {
            sent = r.Headers.GetValueOrDefault("Authorization");
            return FakeHttp.Json("""{"client_id":"okta-client"}""", 201);
        });
        var options = new McpAuthOptions { Client = { RegistrationAccessToken = _ => ValueTask.FromResult("iat-sekrit") } };

        await world.LoggedInAsync(options);

        Assert.Equal("Bearer iat-sekrit", sent);
        Assert.Equal("okta-client", world.TokenRequests[0].Form()["client_id"]);
    }

    [Fact]
    public async Task A_refused_initial_access_token_says_so_and_never_shows_the_token()
    {
        var world = World();
        world.World.Http.On("POST", $"{ProviderWorld.Issuer}/register", _ => FakeHttp.Status(401));
        var options = new McpAuthOptions { Client = { RegistrationAccessToken = _ => ValueTask.FromResult("iat-sekrit") } };

        var e = await Assert.ThrowsAsync<McpAuthException>(() => world.Client(options).AuthorizeAsync(Server, world.World.Interaction, default));

        Assert.Equal(ProviderHints.RegistrationTokenRefused, e.Hint);
        Assert.DoesNotContain("iat-sekrit", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_client_identity_names_the_client_id_flag()
    {
        var world = World();
        var options = new McpAuthOptions { Client = { DynamicRegistration = false } };

        var e = await Assert.ThrowsAsync<McpAuthException>(() => world.Client(options).AuthorizeAsync(Server, world.World.Interaction, default));

        Assert.Equal(McpAuthErrorCode.NoClientIdentity, e.Code);
        Assert.Contains("--client-id", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_login_that_got_no_callback_makes_the_next_login_register_again_and_a_completed_one_does_not()
    {
        var world = World();
        await Assert.ThrowsAsync<TimeoutException>(() => world.Client().AuthorizeAsync(Server, new NoCallback(), default));

        await world.LoggedInAsync();
        await world.LoggedInAsync();

        Assert.Equal(2, world.World.Registrations);
        Assert.Equal(["client-2-as.example.com", "client-2-as.example.com"], world.TokenRequests.Select(r => r.Form()["client_id"]));
    }

    [Fact]
    public async Task A_registration_in_good_standing_is_doubted_after_a_login_without_callback()
    {
        var world = World();
        await world.LoggedInAsync();
        await Assert.ThrowsAsync<TimeoutException>(() => world.Client().AuthorizeAsync(Server, new NoCallback(), default));

        await world.LoggedInAsync();

        Assert.Equal(2, world.World.Registrations);
        Assert.False((await world.World.Vault.GetRegistrationAsync(ProviderWorld.Issuer, new McpAuthOptions().Client.RedirectUri.OriginalString, default))!.Unconfirmed);
    }

    [Fact]
    public async Task ForceNewRegistration_registers_again_even_with_a_good_registration_stored()
    {
        var world = World();
        await world.LoggedInAsync();

        await world.LoggedInAsync(new McpAuthOptions { Client = { ForceNewRegistration = true } });

        Assert.Equal(2, world.World.Registrations);
        Assert.Equal("client-2-as.example.com", world.TokenRequests[1].Form()["client_id"]);
    }

    [Fact]
    public async Task A_pre_registered_client_is_never_doubted_nor_re_registered()
    {
        var world = World();
        var options = new McpAuthOptions { Client = { PreRegistered = new PreRegisteredClient("pre") } };
        await Assert.ThrowsAsync<TimeoutException>(() => world.Client(options).AuthorizeAsync(Server, new NoCallback(), default));

        await world.LoggedInAsync(options);

        Assert.Equal(0, world.World.Registrations);
    }

    [Fact]
    public async Task The_chosen_client_authentication_method_is_used_for_token_refresh_and_revocation()
    {
        var world = World(); // the metadata advertises only "none": the configured method wins
        var options = new McpAuthOptions { Client = { PreRegistered = new PreRegisteredClient("pre", "sekrit", "client_secret_post") } };
        var client = await world.LoggedInAsync(options);
        world.Time.Advance(TimeSpan.FromHours(1));
        await client.GetAccessTokenAsync(Server, default);
        await client.LogoutAsync(Server, null, default);

        var revocations = world.World.Http.Requests.Where(r => r.Key == "POST " + ProviderWorld.RevocationEndpoint).ToList();
        Assert.Equal(2, world.TokenRequests.Count);
        Assert.Equal(2, revocations.Count);
        Assert.All(world.TokenRequests.Concat(revocations), r =>
        {
            Assert.Equal(("pre", "sekrit"), (r.Form()["client_id"], r.Form()["client_secret"]));
            Assert.False(r.Headers.ContainsKey("Authorization"));
        });
    }

    [Fact]
    public async Task A_jwt_access_token_the_server_does_not_revoke_is_reported_as_such_after_the_refresh_token_was_revoked()
    {
        var world = World();
        world.Revoke = r => r.Form()["token_type_hint"] == "access_token"
            ? FakeHttp.Json("""{"error":"unsupported_token_type"}""", 400)
            : FakeHttp.Status(200);
        var client = await world.LoggedInAsync();

        var result = await client.LogoutAsync(Server, null, default);

        Assert.NotNull(result);
        Assert.Equal(RevocationOutcome.RefreshTokenOnly, result.Revocation);
        Assert.True(result.RefreshTokenRevoked);
        Assert.False(result.AccessTokenRevoked);
        Assert.True(result.AccessTokenNotRevocable);
        Assert.Equal("unsupported_token_type", result.RevocationError?.OAuthError);
        Assert.True(result.Cleared);
    }

    [Fact]
    public async Task Unsupported_token_type_without_a_revoked_refresh_token_is_still_a_failure()
    {
        var world = World();
        world.Token = (_, n) => FakeHttp.Json($$"""{"access_token":"at-{{n}}","token_type":"Bearer","expires_in":3600}""");
        world.Revoke = _ => FakeHttp.Json("""{"error":"unsupported_token_type"}""", 400);
        var client = await world.LoggedInAsync();

        var result = await client.LogoutAsync(Server, null, default);

        Assert.Equal(RevocationOutcome.Failed, result!.Revocation);
        Assert.False(result.AccessTokenNotRevocable);
    }

    [Fact]
    public async Task A_token_that_lives_60_seconds_is_used_for_45_then_refreshed_also_by_a_new_process()
    {
        var world = World();
        world.Token = (_, n) => FakeHttp.Json($$"""{"access_token":"at-{{n}}","token_type":"Bearer","expires_in":60,"refresh_token":"rt-{{n}}"}""");
        var client = await world.LoggedInAsync();
        world.Time.Advance(TimeSpan.FromSeconds(30));

        var early = await client.GetAccessTokenAsync(Server, default);
        var earlyElsewhere = await world.Client().GetAccessTokenAsync(Server, default);
        world.Time.Advance(TimeSpan.FromSeconds(15));
        var due = await client.GetAccessTokenAsync(Server, default);

        Assert.Equal(("at-1", "at-1", "at-2"), (early.Value, earlyElsewhere.Value, due.Value));
        Assert.Equal(2, world.TokenRequests.Count);
    }

    [Fact]
    public async Task A_token_that_lives_an_hour_keeps_the_60_second_margin()
    {
        var world = World();
        var client = await world.LoggedInAsync();
        world.Time.Advance(TimeSpan.FromSeconds(3539));
        await client.GetAccessTokenAsync(Server, default);
        world.Time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal("at-2", (await client.GetAccessTokenAsync(Server, default)).Value);
        Assert.Equal(2, world.TokenRequests.Count);
    }
}
