using McpAuth.Engine;
using McpAuth.Storage;

namespace McpAuth.Tests.Orchestration;

/// <summary>
/// A new engine (a new process) over a store with a login in it: a fresh token is served from the credential alone,
/// without reading the client registration; the registration is read once a refresh needs the client's credentials.
/// </summary>
public class StoredStartTests
{
    private static readonly Uri Server = new(OAuthWorld.Server);

    [Fact]
    public async Task A_fresh_stored_token_is_served_without_reading_the_registration_or_the_network()
    {
        var store = new RecordingStore();
        var world = ConfidentialWorld(store, expiresIn: 3600);
        var login = await world.Client().AuthorizeAsync(Server, world.Interaction, default);
        store.Log.Clear();
        var requests = world.Http.Requests.Count;

        var token = await world.Client().GetAccessTokenAsync(Server, default);

        Assert.Equal(login.Value, token.Value);
        Assert.Contains("read Credential", store.Log);
        Assert.DoesNotContain("read Registration", store.Log);
        Assert.Equal(requests, world.Http.Requests.Count);
    }

    [Fact]
    public async Task An_expiring_stored_token_is_refreshed_with_the_stored_registration_read_once()
    {
        var store = new RecordingStore();
        var world = ConfidentialWorld(store, expiresIn: 30);
        var time = new ManualTimeProvider();
        await Engine(world, time).AuthorizeAsync(Server, world.Interaction, default);
        store.Log.Clear();
        var engine = Engine(world, time);

        time.Advance(TimeSpan.FromSeconds(25)); // inside the refresh margin (a quarter of the 30 s lifetime)
        var refreshed = await engine.GetAccessTokenAsync(Server, default);
        time.Advance(TimeSpan.FromSeconds(25));
        var again = await engine.GetAccessTokenAsync(Server, default);

        var refreshes = world.Http.Requests.Where(r => r.Key == $"POST {OAuthWorld.Issuer}/token" && r.Form()["grant_type"] == "refresh_token").ToList();
        Assert.Equal(2, refreshes.Count); // each use inside the skew refreshes
        Assert.All(refreshes, r => Assert.Equal("the-secret", r.Form().GetValueOrDefault("client_secret")));
        Assert.Equal(1, store.Log.Count(e => e == "read Registration"));
        Assert.NotEqual(refreshed.Value, again.Value);
    }

    [Fact]
    public async Task A_corrupt_registration_keeps_no_fresh_stored_token_from_use()
    {
        var store = new RecordingStore();
        var world = ConfidentialWorld(store, expiresIn: 3600);
        var login = await world.Client().AuthorizeAsync(Server, world.Interaction, default);
        store.FailReads = [StoreEntryKind.Registration];

        var token = await world.Client().GetAccessTokenAsync(Server, default);

        Assert.Equal(login.Value, token.Value);
    }

    [Fact]
    public async Task A_corrupt_registration_fails_the_refresh_that_needs_it_with_the_store_error_and_sends_nothing()
    {
        var store = new RecordingStore();
        var world = ConfidentialWorld(store, expiresIn: 30);
        var time = new ManualTimeProvider();
        await Engine(world, time).AuthorizeAsync(Server, world.Interaction, default);
        store.FailReads = [StoreEntryKind.Registration];
        time.Advance(TimeSpan.FromSeconds(25));

        var e = await Assert.ThrowsAsync<McpAuthException>(() => Engine(world, time).GetAccessTokenAsync(Server, default));

        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, e.Code);
        Assert.DoesNotContain(world.Http.Requests, r => r.Key == $"POST {OAuthWorld.Issuer}/token" && r.Form()["grant_type"] == "refresh_token");
    }

    [Fact]
    public async Task A_pre_registered_clients_secret_given_at_login_authenticates_every_later_refresh_without_being_given_again()
    {
        var store = new RecordingStore();
        var world = ConfidentialWorld(store, expiresIn: 30);
        var time = new ManualTimeProvider();
        await Engine(world, time, new McpAuthOptions { Client = { PreRegistered = new PreRegisteredClient("pre-registered", "pre-secret") } })
            .AuthorizeAsync(Server, world.Interaction, default);
        time.Advance(TimeSpan.FromSeconds(25)); // inside the refresh margin (a quarter of the 30 s lifetime)

        await Engine(world, time).GetAccessTokenAsync(Server, default); // a new process that was not given the secret

        var refresh = Assert.Single(world.Http.Requests, r => r.Key == $"POST {OAuthWorld.Issuer}/token" && r.Form()["grant_type"] == "refresh_token");
        var basic = refresh.Headers.GetValueOrDefault("Authorization") ?? "";
        var post = refresh.Form().GetValueOrDefault("client_secret");
        Assert.True(post == "pre-secret" || basic.Contains(Convert.ToBase64String("pre-registered:pre-secret"u8), StringComparison.Ordinal),
            "the refresh did not authenticate with the stored secret");
        Assert.DoesNotContain(store.Log, e => e.Contains("pre-secret", StringComparison.Ordinal));
    }

    private static McpAuth.Engine.McpAuthClient Engine(OAuthWorld world, TimeProvider time, McpAuthOptions? options = null) =>
        new(options ?? new McpAuthOptions(), world.Vault, new HttpClient(world.Http), time);

    /// <summary>Registers confidential clients (client_secret_post) and issues refresh tokens.</summary>
    private static OAuthWorld ConfidentialWorld(RecordingStore store, int expiresIn)
    {
        var world = new OAuthWorld(store: store);
        world.Http.On("POST", $"{OAuthWorld.Issuer}/register", _ => FakeHttp.Json(
            """{"client_id":"confidential","client_secret":"the-secret","token_endpoint_auth_method":"client_secret_post"}""", 201));
        var issued = 0;
        world.Http.On("POST", $"{OAuthWorld.Issuer}/token", _ =>
        {
            issued++;
            return FakeHttp.Json($$"""{"access_token":"at-{{issued}}","token_type":"Bearer","expires_in":{{expiresIn}},"refresh_token":"rt-{{issued}}"}""");
        });
        return world;
    }
}
