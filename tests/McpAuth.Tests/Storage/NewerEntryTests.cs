using System.Text;
using McpAuth.Engine;
using McpAuth.Storage;
using McpAuth.Storage.Keys;
using McpAuth.Tests.Orchestration;

namespace McpAuth.Tests.Storage;

/// <summary>
/// An entry a newer McpAuth wrote (a format above <see cref="StoredEntryCodec.CurrentFormat"/>) is refused with
/// <see cref="McpAuthErrorCode.StoreEntryFromNewerVersion"/>, listed as unreadable, and never overwritten or deleted:
/// not by the vault, not by a login, a refresh or a logout. (A damaged entry is, by contrast, replaced by a new login.)
/// </summary>
public sealed class NewerEntryTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly Uri Server = new(OAuthWorld.Server);

    /// <summary>The bytes a later McpAuth could write for <paramref name="key"/>: format 2, a shape this one does not know.</summary>
    private static byte[] Newer(string what) => Encoding.UTF8.GetBytes("{\"format\":2,\"record\":{\"what\":\"" + what + "\"}}");

    public static TheoryData<string> Changes => new()
    {
        "save credential", "delete credential", "set active client", "clear active client", "save registration", "delete registration",
        "save discovery", "save identity token", "delete identity token",
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task The_vault_neither_replaces_nor_deletes_an_entry_of_a_newer_format(string change)
    {
        var store = new InMemoryTokenStore();
        var vault = new TokenVault(store);
        var credential = StoredEntryCodecTests.Full();
        var registration = new StoredRegistration { Issuer = "i", RedirectUri = "u", ClientId = "c" };
        var (key, act) = change switch
        {
            "save credential" => (StoreKeys.Credential(credential.Binding), () => vault.SaveCredentialAsync(credential, None)),
            "delete credential" => (StoreKeys.Credential(credential.Binding), Drop(() => vault.DeleteCredentialAsync(credential.Binding, None))),
            "set active client" => (StoreKeys.ActiveClient("p", "r", "i"), () => vault.SetActiveClientIdAsync("p", "r", "i", "c", None)),
            "clear active client" => (StoreKeys.ActiveClient("p", "r", "i"), Drop(() => vault.ClearActiveClientAsync("p", "r", "i", None))),
            "save registration" => (StoreKeys.Registration("i", "u"), () => vault.SaveRegistrationAsync(registration, None)),
            "delete registration" => (StoreKeys.Registration("i", "u"), Drop(() => vault.DeleteRegistrationAsync("i", "u", None))),
            "save discovery" => (StoreKeys.Discovery("r"), () => vault.SaveDiscoveryAsync(new DiscoveryRecord { Resource = "r", Issuer = "i" }, None)),
            "save identity token" => (StoreKeys.IdentityToken("p", "idp"), () => vault.SaveIdentityTokenAsync(new IdentityTokenRecord("p", "idp", "t"), None)),
            _ => (StoreKeys.IdentityToken("p", "idp"), Drop(() => vault.DeleteIdentityTokenAsync("p", "idp", None))),
        };
        await store.WriteAsync(key, Newer(change), None);

        var error = await Assert.ThrowsAsync<McpAuthException>(() => act().AsTask());

        Assert.Equal(McpAuthErrorCode.StoreEntryFromNewerVersion, error.Code);
        Assert.Equal(key.ToString(), error.Detail);
        Assert.Equal(Newer(change), await store.ReadAsync(key, None));
    }

    private static Func<ValueTask> Drop(Func<ValueTask<bool>> delete) => async () => await delete();

    [Fact]
    public async Task A_damaged_entry_is_still_replaced_by_a_save()
    {
        var store = new InMemoryTokenStore();
        var credential = StoredEntryCodecTests.Full();
        await store.WriteAsync(StoreKeys.Credential(credential.Binding), "{\"format\":1,"u8.ToArray(), None);

        await new TokenVault(store).SaveCredentialAsync(credential, None);

        StoredEntryCodecTests.AssertSame(credential, (await new TokenVault(store).GetCredentialAsync(credential.Binding, None))!);
    }

    [Fact]
    public async Task Listing_reports_a_newer_credential_as_unreadable_and_keeps_the_others()
    {
        var store = new InMemoryTokenStore();
        var vault = new TokenVault(store);
        var credential = StoredEntryCodecTests.Full();
        await vault.SaveCredentialAsync(credential, None);
        var newer = new StoreKey(StoreEntryKind.Credential, "from-a-later-mcpauth");
        await store.WriteAsync(newer, Newer("credential"), None);

        var listing = await vault.ListCredentialsAsync(None);

        Assert.Equal([credential.Binding], listing.Credentials.Select(c => c.Binding));
        Assert.Equal([newer], listing.Unreadable);
        Assert.Equal(Newer("credential"), await store.ReadAsync(newer, None));
    }

    [Fact]
    public async Task A_file_entry_sealed_by_a_newer_cipher_version_is_refused_not_taken_for_damage()
    {
        using var home = new TempHome();
        var store = FileTokenStore.Open(new FileTokenStoreOptions
        {
            Home = home.Path, KeyProtectors = [new KeyFileProtector(Path.Combine(home.Path, "store.key"))],
        });
        var vault = new TokenVault(store);
        var credential = StoredEntryCodecTests.Full();
        await vault.SaveCredentialAsync(credential, None);
        var path = store.EntryPath(StoreKeys.Credential(credential.Binding));
        var sealedEntry = File.ReadAllBytes(path);
        sealedEntry[3] = 2; // "MAE" then the cipher's version byte
        File.WriteAllBytes(path, sealedEntry);

        var read = await Assert.ThrowsAsync<McpAuthException>(() => vault.GetCredentialAsync(credential.Binding, None).AsTask());
        var save = await Assert.ThrowsAsync<McpAuthException>(() => vault.SaveCredentialAsync(credential, None).AsTask());

        Assert.Equal(McpAuthErrorCode.StoreEntryFromNewerVersion, read.Code);
        Assert.Equal(McpAuthErrorCode.StoreEntryFromNewerVersion, save.Code);
        Assert.Equal(sealedEntry, File.ReadAllBytes(path));
        Assert.Equal([StoreKeys.Credential(credential.Binding)], (await vault.ListCredentialsAsync(None)).Unreadable);
    }

    [Fact]
    public async Task A_login_over_a_newer_credential_fails_with_the_code_and_leaves_it()
    {
        var world = new OAuthWorld();
        await world.Client().AuthorizeAsync(Server, world.Interaction, None);
        var key = await MakeCredentialNewerAsync(world);

        var error = await Assert.ThrowsAsync<McpAuthException>(() => world.Client().AuthorizeAsync(Server, world.Interaction, None));

        Assert.Equal(McpAuthErrorCode.StoreEntryFromNewerVersion, error.Code);
        Assert.Equal(Newer("credential"), await world.Vault.Store.ReadAsync(key, None));
    }

    [Fact]
    public async Task A_refresh_of_a_credential_a_newer_mcpauth_rewrote_fails_with_the_code_and_leaves_it()
    {
        var world = new OAuthWorld();
        world.Http.On("POST", $"{OAuthWorld.Issuer}/token",
            _ => FakeHttp.Json("""{"access_token":"at","token_type":"Bearer","expires_in":30,"refresh_token":"rt"}"""));
        var time = new ManualTimeProvider();
        McpAuthClient Engine() => new(new McpAuthOptions(), world.Vault, new HttpClient(world.Http), time);
        var engine = Engine();
        await engine.AuthorizeAsync(Server, world.Interaction, None);
        time.Advance(TimeSpan.FromSeconds(25)); // inside the refresh margin (a quarter of the 30 s lifetime): every use refreshes
        var key = await MakeCredentialNewerAsync(world);

        var error = await Assert.ThrowsAsync<McpAuthException>(() => engine.GetAccessTokenAsync(Server, None));
        var fresh = await Assert.ThrowsAsync<McpAuthException>(() => Engine().GetAccessTokenAsync(Server, None));

        Assert.Equal(McpAuthErrorCode.StoreEntryFromNewerVersion, error.Code);
        Assert.Equal(McpAuthErrorCode.StoreEntryFromNewerVersion, fresh.Code);
        Assert.Equal(Newer("credential"), await world.Vault.Store.ReadAsync(key, None));
    }

    [Fact]
    public async Task A_logout_of_a_newer_credential_fails_with_the_code_and_deletes_nothing()
    {
        var world = new OAuthWorld();
        await world.Client().AuthorizeAsync(Server, world.Interaction, None);
        var credential = (await world.Vault.ListCredentialsAsync(None)).Credentials.Single();
        var key = await MakeCredentialNewerAsync(world);

        var error = await Assert.ThrowsAsync<McpAuthException>(() => world.Client().LogoutAsync(credential, null, None));

        Assert.Equal(McpAuthErrorCode.StoreEntryFromNewerVersion, error.Code);
        Assert.Equal(Newer("credential"), await world.Vault.Store.ReadAsync(key, None));
    }

    private static async Task<StoreKey> MakeCredentialNewerAsync(OAuthWorld world)
    {
        var key = Assert.Single(await world.Vault.Store.ListAsync(StoreEntryKind.Credential, None));
        await world.Vault.Store.WriteAsync(key, Newer("credential"), None);
        return key;
    }
}
