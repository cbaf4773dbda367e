using System.Text;
using McpAuth.Storage;

namespace McpAuth.Tests.Storage;

/// <summary>
/// The one encoding of stored records (<see cref="StoredEntryCodec"/>): every record round-trips through the vault with
/// every optional member, wrapped with its format; unknown members are ignored; damage is
/// <see cref="McpAuthErrorCode.StoreEntryCorrupt"/>; a newer format is <see cref="McpAuthErrorCode.StoreEntryFromNewerVersion"/>.
/// </summary>
public sealed class StoredEntryCodecTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 8, 30, 15, 123, TimeSpan.Zero);
    private static readonly CredentialBinding Binding = new("p", "r", "i", "c");

    internal static StoredCredential Full() => new()
    {
        Binding = new CredentialBinding("work/alice", "https://mcp.example.com/mcp", "https://auth.example.com", "client-1"),
        Tokens = new TokenSet
        {
            AccessToken = "at-\"quoted\"-é", TokenType = "DPoP", RefreshToken = "rt", ExpiresAt = Now.AddHours(1).ToOffset(TimeSpan.FromHours(2)),
            Scope = "mcp read", IdToken = "id", Extras = new Dictionary<string, string> { ["user"] = "alice", ["org"] = "<acme>" },
        },
        TokenEndpoint = "https://auth.example.com/token",
        State = CredentialState.NeedsReauthorization,
        Generation = 42,
        TokenEndpointAuthMethod = "client_secret_basic",
        RevocationEndpoint = "https://auth.example.com/revoke",
        RevocationEndpointAuthMethod = "none",
        DPoPPrivateJwk = "{\"kty\":\"EC\"}",
        UpdatedAt = Now.ToOffset(TimeSpan.FromHours(-3)),
    };

    private static StoredCredential Minimal() => new()
    {
        Binding = new CredentialBinding("default", "https://mcp.example.com/mcp", "https://auth.example.com", "client-1"),
        Tokens = new TokenSet { AccessToken = "at" },
        TokenEndpoint = "https://auth.example.com/token",
    };

    private static StoredRegistration Registration(bool full) => full
        ? new StoredRegistration
        {
            Issuer = "https://auth.example.com", RedirectUri = "http://127.0.0.1:33418/callback", ClientId = "client-\"1\"",
            ClientSecret = "secret-é", TokenEndpointAuthMethod = "client_secret_post", Source = "preregistered",
            ClientSecretExpiresAt = Now.AddDays(30).ToOffset(TimeSpan.FromHours(-5)), RegisteredAt = Now,
            RegistrationClientUri = "https://auth.example.com/reg/client-1", RegistrationAccessToken = "rat-1",
        }
        : new StoredRegistration { Issuer = "https://auth.example.com", RedirectUri = "http://127.0.0.1/cb", ClientId = "c" };

    private static DiscoveryRecord Discovery(bool full) => full
        ? new DiscoveryRecord
        {
            Resource = "https://mcp.example.com/mcp", ResourceMetadataUrl = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
            Issuer = "https://auth.example.com", AuthorizationServerMetadataUrl = "https://auth.example.com/.well-known/oauth-authorization-server",
            BindingResource = "https://mcp.example.com/mcp/", DiscoveredAt = Now,
        }
        : new DiscoveryRecord { Resource = "https://mcp.example.com/mcp", Issuer = "i" };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_record_round_trips_through_the_vault_with_every_optional_member(bool full)
    {
        var vault = new TokenVault(new InMemoryTokenStore());
        var credential = full ? Full() : Minimal();
        var registration = Registration(full);
        var discovery = Discovery(full);
        var idToken = new IdentityTokenRecord("default", "https://idp.example.com", "id-token", full ? Now.AddMinutes(5) : null);

        await vault.SaveCredentialAsync(credential, None);
        await vault.SaveRegistrationAsync(registration, None);
        await vault.SaveDiscoveryAsync(discovery, None);
        await vault.SetActiveClientIdAsync("default", "r", "i", "client-9", None);
        await vault.SaveIdentityTokenAsync(idToken, None);

        var read = (await vault.GetCredentialAsync(credential.Binding, None))!;
        AssertSame(credential, read);
        Assert.Equal(credential.Tokens.ExpiresAt?.Offset, read.Tokens.ExpiresAt?.Offset);
        Assert.Equal(credential.UpdatedAt.Offset, read.UpdatedAt.Offset);
        Assert.Equal(registration, await vault.GetRegistrationAsync(registration.Issuer, registration.RedirectUri, None));
        Assert.Equal(discovery, await vault.GetDiscoveryAsync(discovery.Resource, None));
        Assert.Equal("client-9", await vault.GetActiveClientIdAsync("default", "r", "i", None));
        Assert.Equal(idToken, await vault.GetIdentityTokenAsync(idToken.Profile, idToken.IdpIssuer, None));
    }

    [Fact]
    public async Task An_entry_is_its_format_then_its_record_in_snake_case_json_without_nulls()
    {
        var store = new InMemoryTokenStore();
        await new TokenVault(store).SaveCredentialAsync(Full(), None);

        var json = Encoding.UTF8.GetString((await store.ReadAsync(StoreKeys.Credential(Full().Binding), None))!);

        Assert.StartsWith("""{"format":1,"record":{"binding":{"profile":"work/alice",""", json, StringComparison.Ordinal);
        Assert.Contains("\"dpop_private_jwk\":", json, StringComparison.Ordinal);
        Assert.Contains("\"state\":\"NeedsReauthorization\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        Assert.Equal(1, StoredEntryCodec.CurrentFormat);
    }

    [Fact]
    public async Task Unknown_members_a_later_version_adds_within_the_format_are_ignored()
    {
        var json = """
            {"format":1,"future":{"deep":[1,{"x":null}]},"record":{"future":{"deep":[1,{"x":null}]},
             "binding":{"profile":"p","resource":"r","issuer":"i","client_id":"c","extra":true},
             "tokens":{"access_token":"at","token_type":"Bearer","later":"x"},"token_endpoint":"t","state":"Expiring","generation":3,
             "updated_at":"2026-11-22T08:30:15+00:00","trailing":1},"after":"x"}
            """;
        var read = await ReadCredentialAsync(json);

        Assert.Equal(Binding, read.Binding);
        Assert.Equal("at", read.Tokens.AccessToken);
        Assert.Null(read.Tokens.ExpiresAt);
        Assert.Equal(CredentialState.Expiring, read.State);
        Assert.Equal(3, read.Generation);
        Assert.Equal(Now.AddMilliseconds(-123), read.UpdatedAt);
    }

    private const string Record =
        """{"binding":{"profile":"p","resource":"r","issuer":"i","client_id":"c"},"tokens":{"access_token":"at","token_type":"Bearer"},"token_endpoint":"t"}""";

    public static TheoryData<string> DamagedCredentials => new()
    {
        "",
        "null",
        "[]",
        "{\"format\":1,\"record\":",
        "not json",
        Record, // a record without its envelope
        $$"""{"record":{{Record}}}""",
        $$"""{"format":0,"record":{{Record}}}""",
        $$"""{"format":-3,"record":{{Record}}}""",
        $$"""{"format":"1","record":{{Record}}}""",
        $$"""{"format":1.5,"record":{{Record}}}""",
        """{"format":1}""",
        """{"format":1,"record":null}""",
        $$"""{"format":1,"record":{{Record}}} {}""",
        """{"format":1,"record":{"tokens":{"access_token":"at","token_type":"Bearer"},"token_endpoint":"t"}}""",
        """{"format":1,"record":{"binding":{"profile":"p","resource":"r","issuer":"i"},"tokens":{"access_token":"at","token_type":"Bearer"},"token_endpoint":"t"}}""",
        """{"format":1,"record":{"binding":{"profile":"p","resource":"r","issuer":"i","client_id":null},"tokens":{"access_token":"at","token_type":"Bearer"},"token_endpoint":"t"}}""",
        """{"format":1,"record":{"binding":{"profile":"p","resource":"r","issuer":"i","client_id":"c"},"tokens":{},"token_endpoint":"t"}}""",
        """{"format":1,"record":{"binding":{"profile":"p","resource":"r","issuer":"i","client_id":"c"},"tokens":{"access_token":"at","token_type":"Bearer"}}}""",
        """{"format":1,"record":{"binding":{"profile":"p","resource":"r","issuer":"i","client_id":"c"},"tokens":{"access_token":"at","token_type":null},"token_endpoint":"t"}}""",
        // Always written; absent, the serializer would read null, not the initializer's "Bearer" ([JsonRequired]).
        """{"format":1,"record":{"binding":{"profile":"p","resource":"r","issuer":"i","client_id":"c"},"tokens":{"access_token":"at"},"token_endpoint":"t"}}""",
        """{"format":1,"record":{"binding":{"profile":"p","resource":"r","issuer":"i","client_id":"c"},"tokens":{"access_token":"at","token_type":"Bearer"},"token_endpoint":"t","state":"Gone"}}""",
        """{"format":1,"record":{"binding":{"profile":"p","resource":"r","issuer":"i","client_id":"c"},"tokens":{"access_token":"at","token_type":"Bearer"},"token_endpoint":"t","generation":"1"}}""",
        """{"format":1,"record":{"binding":{"profile":"p","resource":"r","issuer":"i","client_id":"c"},"tokens":{"access_token":"at","token_type":"Bearer","expires_at":"soon"},"token_endpoint":"t"}}""",
        """{"format":1,"record":{"binding":{"profile":"p","resource":"r","issuer":"i","client_id":"c"},"tokens":{"access_token":"at","token_type":"Bearer"},"token_endpoint":"t","updated_at":null}}""",
        """{"format":1,"record":{"binding":{"profile":"p","resource":"r","issuer":"i","client_id":"c"},"tokens":{"access_token":"at","token_type":"Bearer","extras":{"a":1}},"token_endpoint":"t"}}""",
    };

    [Theory]
    [MemberData(nameof(DamagedCredentials))]
    public async Task Damaged_credentials_are_StoreEntryCorrupt(string json)
    {
        var error = await Assert.ThrowsAsync<McpAuthException>(() => ReadCredentialAsync(json));
        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, error.Code);
        Assert.Equal(StoreKeys.Credential(Binding).ToString(), error.Detail);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_string_is_StoreEntryCorrupt()
    {
        var bytes = Encoding.UTF8.GetBytes($$"""{"format":1,"record":{{Record.Replace("\"at\"", "\"a?\"", StringComparison.Ordinal)}}}""");
        bytes[Array.IndexOf(bytes, (byte)'?')] = 0xFF;
        var store = new InMemoryTokenStore();
        await store.WriteAsync(StoreKeys.Credential(Binding), bytes, None);
        var error = await Assert.ThrowsAsync<McpAuthException>(() => new TokenVault(store).GetCredentialAsync(Binding, None).AsTask());
        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, error.Code);
    }

    [Theory]
    [InlineData("""{"format":1,"record":{"redirect_uri":"u","client_id":"c","token_endpoint_auth_method":"none","source":"dcr"}}""")]
    [InlineData("""{"format":1,"record":{"issuer":"i","redirect_uri":"u","client_id":null,"token_endpoint_auth_method":"none","source":"dcr"}}""")]
    [InlineData("""{"format":1,"record":{"issuer":"i","redirect_uri":"u","client_id":"c","token_endpoint_auth_method":null,"source":"dcr"}}""")]
    [InlineData("""{"format":1,"record":{"issuer":"i","redirect_uri":"u","client_id":"c","registered_at":"yesterday","token_endpoint_auth_method":"none","source":"dcr"}}""")]
    [InlineData("""{"format":1,"record":{"issuer":"i","redirect_uri":"u","client_id":"c","token_endpoint_auth_method":"none"}}""")]
    [InlineData("""{"format":1,"record":{"issuer":"i","redirect_uri":"u","client_id":"c","source":"dcr"}}""")]
    public async Task Damaged_registrations_are_StoreEntryCorrupt(string json)
    {
        var store = new InMemoryTokenStore();
        await store.WriteAsync(StoreKeys.Registration("i", "u"), Encoding.UTF8.GetBytes(json), None);
        var error = await Assert.ThrowsAsync<McpAuthException>(() => new TokenVault(store).GetRegistrationAsync("i", "u", None).AsTask());
        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, error.Code);
    }

    [Theory]
    [InlineData("""{"format":1,"record":{"issuer":"i"}}""")]
    [InlineData("""{"format":1,"record":{"resource":"r","issuer":7}}""")]
    [InlineData("""{"format":1,"record":{"resource":"r","issuer":"i","discovered_at":null}}""")]
    public async Task Damaged_discovery_records_are_StoreEntryCorrupt(string json)
    {
        var store = new InMemoryTokenStore();
        await store.WriteAsync(StoreKeys.Discovery("r"), Encoding.UTF8.GetBytes(json), None);
        var error = await Assert.ThrowsAsync<McpAuthException>(() => new TokenVault(store).GetDiscoveryAsync("r", None).AsTask());
        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, error.Code);
    }

    public static TheoryData<string> NewerEntries => new()
    {
        $$"""{"format":2,"record":{{Record}}}""",                  // a record this version could decode
        """{"record":{"a new":"shape"},"format":2}""",             // one it could not, the format last
        """{"format":2,"records":[1,2,3],"compressed":"AAEC"}""",  // no record at all
        """{"format":2147483647}""",
    };

    [Theory]
    [MemberData(nameof(NewerEntries))]
    public async Task An_entry_of_a_newer_format_is_refused_naming_the_entry_and_saying_to_upgrade(string json)
    {
        var error = await Assert.ThrowsAsync<McpAuthException>(() => ReadCredentialAsync(json));

        Assert.Equal(McpAuthErrorCode.StoreEntryFromNewerVersion, error.Code);
        Assert.Equal(704, (int)error.Code);
        Assert.Contains(StoreKeys.Credential(Binding).ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("upgrade McpAuth", error.Message, StringComparison.Ordinal);
    }

    private static async Task<StoredCredential> ReadCredentialAsync(string json)
    {
        var store = new InMemoryTokenStore();
        await store.WriteAsync(StoreKeys.Credential(Binding), Encoding.UTF8.GetBytes(json), None);
        return (await new TokenVault(store).GetCredentialAsync(Binding, None))!;
    }

    internal static void AssertSame(StoredCredential expected, StoredCredential actual)
    {
        Assert.Equal(expected.Binding, actual.Binding);
        Assert.Equal(expected.Tokens.Extras ?? new Dictionary<string, string>(), actual.Tokens.Extras ?? new Dictionary<string, string>());
        Assert.Equal(expected.Tokens with { Extras = null }, actual.Tokens with { Extras = null });
        Assert.Equal(expected with { Tokens = actual.Tokens }, actual);
    }
}
