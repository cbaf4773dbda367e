using McpAuth.Engine;
using McpAuth.Storage;

namespace McpAuth.Tests.Orchestration;

public class LogoutTests
{
    private static readonly Uri Server = LifecycleWorld.Server;

    [Fact]
    public async Task Logout_revokes_the_refresh_token_first_then_the_access_token_then_clears()
    {
        var world = new LifecycleWorld();
        var client = await world.LoggedInAsync();
        var result = await client.LogoutAsync(Server, null, default);
        Assert.NotNull(result);
        var forms = world.Revocations.Select(r => r.Form()).ToList();
        Assert.Equal(2, forms.Count);
        Assert.Equal(("rt-1", "refresh_token"), (forms[0]["token"], forms[0]["token_type_hint"]));
        Assert.Equal(("at-1", "access_token"), (forms[1]["token"], forms[1]["token_type_hint"]));
        Assert.All(forms, f => Assert.Equal("client-1-as.example.com", f["client_id"]));
        Assert.True(result.RefreshTokenRevoked && result.AccessTokenRevoked && result.Cleared);
        Assert.Equal(RevocationOutcome.Revoked, result.Revocation);
        Assert.Empty((await world.World.Vault.ListCredentialsAsync(default)).Credentials);
        Assert.Equal(McpAuthErrorCode.LoginRequired,
            (await Assert.ThrowsAsync<McpAuthException>(() => client.GetAccessTokenAsync(Server, default))).Code);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(400)]
    public async Task A_failed_revocation_still_clears_and_says_why(int status)
    {
        var world = new LifecycleWorld { Revoke = _ => FakeHttp.Json("""{"error":"temporarily_unavailable"}""", status) };
        var client = await world.LoggedInAsync();
        var result = await client.LogoutAsync(Server, null, default);
        Assert.NotNull(result);
        Assert.Equal(RevocationOutcome.Failed, result.Revocation);
        Assert.False(result.RefreshTokenRevoked || result.AccessTokenRevoked);
        Assert.NotNull(result.RevocationError);
        Assert.Equal(status, result.RevocationError.StatusCode);
        Assert.True(result.Cleared);
        Assert.Empty((await world.World.Vault.ListCredentialsAsync(default)).Credentials);
    }

    [Fact]
    public async Task A_transport_failure_is_reported_and_the_credential_is_cleared()
    {
        var world = new LifecycleWorld { Revoke = _ => throw new HttpRequestException("down") };
        var result = await (await world.LoggedInAsync()).LogoutAsync(Server, null, default);
        Assert.Equal(McpAuthErrorCode.TransportFailure, result!.RevocationError!.Code);
        Assert.True(result.Cleared);
    }

    [Fact]
    public async Task A_401_to_client_authentication_is_retried_once_with_the_access_token_as_bearer()
    {
        var world = new LifecycleWorld();
        world.Revoke = r => r.Headers.TryGetValue("Authorization", out var a) && a == "Bearer at-1" ? FakeHttp.Status(200) : FakeHttp.Status(401);
        var result = await (await world.LoggedInAsync()).LogoutAsync(Server, null, default);
        Assert.Equal(RevocationOutcome.Revoked, result!.Revocation);
        Assert.Equal(4, world.Revocations.Count);
        Assert.False(world.Revocations[0].Headers.ContainsKey("Authorization"));
        Assert.Equal("Bearer at-1", world.Revocations[1].Headers["Authorization"]);
        Assert.False(world.Revocations[1].Form().ContainsKey("client_id"));
    }

    [Fact]
    public async Task Without_a_revocation_endpoint_nothing_is_sent_and_the_credential_is_cleared()
    {
        var world = new OAuthWorld();
        var client = world.Client();
        await client.AuthorizeAsync(Server, world.Interaction, default);
        var before = world.Http.Requests.Count;
        var result = await client.LogoutAsync(Server, null, default);
        Assert.Equal(RevocationOutcome.NotSupported, result!.Revocation);
        Assert.True(result.Cleared);
        Assert.Equal(before, world.Http.Requests.Count);
    }

    [Fact]
    public async Task A_confidential_registration_authenticates_revocation_with_its_stored_secret_in_the_advertised_method()
    {
        var world = new LifecycleWorld(""","revocation_endpoint_auth_methods_supported":["client_secret_post"]""");
        world.World.Http.On("POST", "https://as.example.com/register",
            _ => FakeHttp.Json("""{"client_id":"conf","client_secret":"s3cret","token_endpoint_auth_method":"client_secret_basic"}""", 201));
        var client = await world.LoggedInAsync();
        // A new process: the secret comes from the stored registration.
        var result = await world.World.Client().LogoutAsync(Server, null, default);
        Assert.Equal(RevocationOutcome.Revoked, result!.Revocation);
        var form = world.Revocations[0].Form();
        Assert.Equal(("conf", "s3cret"), (form["client_id"], form["client_secret"]));
        Assert.False(world.Revocations[0].Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task A_pre_registered_secret_from_options_is_used_with_the_token_endpoint_method_when_nothing_else_is_advertised()
    {
        var world = new LifecycleWorld(""","token_endpoint_auth_methods_supported":["client_secret_basic"]""");
        var options = new McpAuthOptions { Client = { PreRegistered = new PreRegisteredClient("pre", "pw") } };
        await world.LoggedInAsync(options);
        var result = await world.World.Client(options).LogoutAsync(Server, null, default);
        Assert.Equal(RevocationOutcome.Revoked, result!.Revocation);
        Assert.Equal(McpAuth.Protocol.ClientAuthentication.BasicHeaderValue("pre", "pw"), world.Revocations[0].Headers["Authorization"]);
    }

    [Fact]
    public async Task A_secret_method_without_a_secret_sends_nothing_and_still_clears()
    {
        var world = new LifecycleWorld(""","token_endpoint_auth_methods_supported":["client_secret_basic"]""");
        var options = new McpAuthOptions { Client = { PreRegistered = new PreRegisteredClient("pre", "pw") } };
        await world.LoggedInAsync(options);
        // The secret was kept with the registration at login; a store that lost it (another tool's, an older one) has none.
        Assert.True(await world.World.Vault.DeleteRegistrationAsync(OAuthWorld.Issuer, options.Client.RedirectUri.OriginalString, default));
        var result = await world.World.Client(new McpAuthOptions()).LogoutAllAsync(null, default);
        Assert.Equal(RevocationOutcome.NoClientCredentials, Assert.Single(result).Revocation);
        Assert.Empty(world.Revocations);
        Assert.True(result[0].Cleared);
    }

    [Fact]
    public async Task A_pre_registered_secret_given_at_login_revokes_at_a_later_logout_that_was_not_given_it()
    {
        var world = new LifecycleWorld(""","token_endpoint_auth_methods_supported":["client_secret_basic"]""");
        await world.LoggedInAsync(new McpAuthOptions { Client = { PreRegistered = new PreRegisteredClient("pre", "pw") } });
        var result = await world.World.Client(new McpAuthOptions()).LogoutAllAsync(null, default);
        Assert.Equal(RevocationOutcome.Revoked, Assert.Single(result).Revocation);
        Assert.NotEmpty(world.Revocations);
    }

    [Fact]
    public async Task The_registration_is_kept_by_default_and_removed_when_asked()
    {
        var world = new LifecycleWorld();
        await (await world.LoggedInAsync()).LogoutAsync(Server, null, default);
        Assert.NotNull(await world.World.Vault.GetRegistrationAsync(OAuthWorld.Issuer, new McpAuthOptions().Client.RedirectUri.OriginalString, default));
        var client = await world.LoggedInAsync();
        var result = await client.LogoutAsync(Server, new LogoutOptions { RemoveRegistration = true, Revoke = false }, default);
        Assert.True(result!.RegistrationRemoved);
        Assert.Equal(RevocationOutcome.NotRequested, result.Revocation);
        Assert.Null(await world.World.Vault.GetRegistrationAsync(OAuthWorld.Issuer, new McpAuthOptions().Client.RedirectUri.OriginalString, default));
        Assert.Equal(1, world.World.Registrations);
    }

    private static LifecycleWorld ManageableWorld(Func<RecordedRequest, HttpResponseMessage> delete)
    {
        var world = new LifecycleWorld();
        world.World.Http.On("POST", "https://as.example.com/register", _ => FakeHttp.Json(
            """{"client_id":"managed-1","registration_client_uri":"https://as.example.com/register/managed-1","registration_access_token":"rat-SECRET-1"}""", 201));
        world.World.Http.On("DELETE", "https://as.example.com/register/managed-1", delete);
        return world;
    }

    private static IReadOnlyList<RecordedRequest> Deletions(LifecycleWorld world) =>
        world.World.Http.Requests.Where(r => r.Method == HttpMethod.Delete).ToList();

    [Fact]
    public async Task Removing_a_dynamic_registration_deletes_it_at_the_server_with_its_registration_access_token()
    {
        var world = ManageableWorld(_ => FakeHttp.Status(204));
        var client = await world.LoggedInAsync();

        var result = await client.LogoutAsync(Server, new LogoutOptions { RemoveRegistration = true }, default);

        Assert.True(result!.RegistrationRemoved);
        Assert.True(result.RegistrationDeletedAtServer);
        Assert.Null(result.RegistrationDeletionError);
        var delete = Assert.Single(Deletions(world));
        Assert.Equal("Bearer rat-SECRET-1", delete.Headers["Authorization"]);
    }

    [Fact]
    public async Task A_failed_deletion_at_the_server_is_reported_and_the_local_registration_is_gone_anyway()
    {
        var world = ManageableWorld(_ => FakeHttp.Status(500));
        var client = await world.LoggedInAsync();

        var result = await client.LogoutAsync(Server, new LogoutOptions { RemoveRegistration = true }, default);

        Assert.True(result!.RegistrationRemoved);
        Assert.False(result.RegistrationDeletedAtServer);
        Assert.NotNull(result.RegistrationDeletionError);
        Assert.Null(await world.World.Vault.GetRegistrationAsync(OAuthWorld.Issuer, new McpAuthOptions().Client.RedirectUri.OriginalString, default));
    }

    [Fact]
    public async Task No_deletion_at_the_server_when_the_registration_is_kept_still_used_or_the_server_is_not_to_be_contacted()
    {
        var world = ManageableWorld(_ => FakeHttp.Status(204));
        var personal = await world.LoggedInAsync();
        var work = await world.LoggedInAsync(new McpAuthOptions { Profile = "work" });

        await personal.LogoutAsync(Server, new LogoutOptions { RemoveRegistration = false }, default);
        await world.LoggedInAsync();
        var inUse = await personal.LogoutAsync(Server, new LogoutOptions { RemoveRegistration = true }, default);
        var offline = await work.LogoutAsync(Server, new LogoutOptions { RemoveRegistration = true, Revoke = false }, default);

        Assert.True(inUse!.RegistrationInUse);
        Assert.True(offline!.RegistrationRemoved);
        Assert.False(offline.RegistrationDeletedAtServer);
        Assert.Empty(Deletions(world));
    }

    [Fact]
    public async Task A_registration_another_profile_still_uses_is_kept_until_its_last_credential_logs_out()
    {
        var world = new LifecycleWorld();
        var personal = await world.LoggedInAsync();
        var work = await world.LoggedInAsync(new McpAuthOptions { Profile = "work" });
        var redirect = new McpAuthOptions().Client.RedirectUri.OriginalString;
        Assert.Equal(1, world.World.Registrations); // one dynamic registration, shared by both profiles

        var first = await personal.LogoutAsync(Server, new LogoutOptions { RemoveRegistration = true, Revoke = false }, default);
        Assert.False(first!.RegistrationRemoved);
        Assert.True(first.RegistrationInUse);
        Assert.NotNull(await world.World.Vault.GetRegistrationAsync(OAuthWorld.Issuer, redirect, default));

        var last = await work.LogoutAsync(Server, new LogoutOptions { RemoveRegistration = true, Revoke = false }, default);
        Assert.True(last!.RegistrationRemoved);
        Assert.False(last.RegistrationInUse);
        Assert.Null(await world.World.Vault.GetRegistrationAsync(OAuthWorld.Issuer, redirect, default));
    }

    [Fact]
    public async Task Logout_releases_the_lifecycle_and_logout_all_covers_only_the_profile()
    {
        var world = new LifecycleWorld();
        var client = await world.LoggedInAsync();
        await world.LoggedInAsync(new McpAuthOptions { Profile = "work" });
        var results = await client.LogoutAllAsync(new LogoutOptions { Revoke = false }, default);
        var released = Assert.Single(results);
        Assert.Equal("default", released.Binding.Profile);
        Assert.True(client.Events.TryGetState(released.Binding, out var state, out _));
        Assert.Equal(CredentialState.Released, state);
        Assert.Equal("work", Assert.Single((await world.World.Vault.ListCredentialsAsync(default)).Credentials).Binding.Profile);
    }

    [Fact]
    public async Task Logout_without_a_credential_returns_null_and_sends_nothing()
    {
        var world = new LifecycleWorld();
        Assert.Null(await world.World.Client().LogoutAsync(Server, null, default));
        Assert.Empty(world.World.Http.Requests);
    }

    [Fact]
    public async Task Cancellation_passes_through_and_keeps_the_credential()
    {
        var world = new LifecycleWorld();
        var client = await world.LoggedInAsync();
        using var cts = new CancellationTokenSource();
        world.Revoke = _ => { cts.Cancel(); cts.Token.ThrowIfCancellationRequested(); return FakeHttp.Status(200); };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.LogoutAsync(Server, null, cts.Token));
        Assert.Single((await world.World.Vault.ListCredentialsAsync(default)).Credentials);
    }
}
