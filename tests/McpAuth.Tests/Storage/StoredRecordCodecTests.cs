using System.Text;
using System.Text.Json;
using McpAuth.Storage;

namespace McpAuth.Tests.Storage;

/// <summary>
/// The hand-written codec writes exactly the bytes the source-generated serializer wrote (entries stay readable both
/// ways), ignores unknown members, and reports damage as <see cref="McpAuthErrorCode.StoreEntryCorrupt"/>.
/// </summary>
public sealed class StoredRecordCodecTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 8, 30, 15, 123, TimeSpan.Zero);

    private static StoredCredential Full() => new()
    {
        Binding = new CredentialBinding("work/alice", "https://mcp.example.com/mcp", "https://auth.example.com", "client-1"),
        Tokens = new TokenSet
        {
            AccessToken = "at-\"quoted\"-é", TokenType = "DPoP", RefreshToken = "rt", ExpiresAt = Now.AddHours(1).ToOffset(TimeSpan.FromHours(2)),
            Scope = "mcp read", IdToken = "id", Extras = new Dictionary<string, string> { ["user"] = "alice", ["org"] = "<acme>" },
            IssuedAt = Now,
        },
        TokenEndpoint = "https://auth.example.com/token",
        State = CredentialState.NeedsReauthorization,
        Generation = 42,
        TokenEndpointAuthMethod = "client_secret_basic",
        RevocationEndpoint = "https://auth.example.com/revoke",
        RevocationEndpointAuthMethod = "none",
        DPoPPrivateJwk = "{\"kty\":\"EC\"}",
        UpdatedAt = Now,
    };

    private static StoredCredential Minimal() => new()
    {
        Binding = new CredentialBinding("default", "https://mcp.example.com/mcp", "https://auth.example.com", "client-1"),
        Tokens = new TokenSet { AccessToken = "at" },
        TokenEndpoint = "https://auth.example.com/token",
    };

    public static TheoryData<string> Shapes => new() { "full", "minimal" };

    private static StoredCredential Shape(string name) => name == "full" ? Full() : Minimal();

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Credentials_are_written_in_the_binary_form_and_read_back(string shape)
    {
        var credential = Shape(shape);
        var bytes = StoredRecordCodec.WriteCredential(credential);
        Assert.Equal([0, 2], bytes[..2]);
        var read = StoredRecordCodec.ReadCredential(bytes);
        AssertSame(credential, read);
        Assert.Equal(credential.Tokens.ExpiresAt?.Offset, read.Tokens.ExpiresAt?.Offset);
        Assert.Equal(credential.UpdatedAt.Offset, read.UpdatedAt.Offset);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Reads_the_json_that_earlier_versions_wrote(string shape)
    {
        var credential = Shape(shape);
        var read = StoredRecordCodec.ReadCredential(JsonSerializer.SerializeToUtf8Bytes(credential, StoreJsonContext.Default.StoredCredential));
        AssertSame(credential, read);
    }

    [Fact]
    public void Members_a_later_version_appends_are_ignored()
    {
        var credential = Full();
        var read = StoredRecordCodec.ReadCredential([.. StoredRecordCodec.WriteCredential(credential), 1, 2, 3, 4, 5]);
        AssertSame(credential, read);
    }

    [Fact]
    public void A_version_1_entry_reads_without_its_issued_at()
    {
        var credential = Full() with { Tokens = Full().Tokens with { IssuedAt = null } };
        var bytes = StoredRecordCodec.WriteCredential(credential);
        bytes[1] = 1;

        var read = StoredRecordCodec.ReadCredential(bytes.AsSpan(0, bytes.Length - 1));

        AssertSame(credential, read);
    }

    [Fact]
    public void Every_truncation_of_a_binary_credential_is_StoreEntryCorrupt()
    {
        var bytes = StoredRecordCodec.WriteCredential(Full());
        for (var length = 1; length < bytes.Length; length++)
        {
            var error = Assert.ThrowsAny<Exception>(() => StoredRecordCodec.ReadCredential(bytes.AsSpan(0, length)));
            Assert.True(error is FormatException, $"length {length}: {error.GetType().Name}");
        }
    }

    public static TheoryData<string, int, byte> BinaryDamage => new()
    {
        { "unknown version", 1, 9 },
        { "presence byte neither 0 nor 1", -1, 7 },
        { "state out of range", -2, 200 },
        { "invalid UTF-8 in the profile", 3, 0xFF },
    };

    [Theory]
    [MemberData(nameof(BinaryDamage))]
    public async Task Damaged_binary_credentials_are_StoreEntryCorrupt(string what, int offset, byte value)
    {
        var credential = Minimal();
        var bytes = StoredRecordCodec.WriteCredential(credential);
        var at = offset switch
        {
            -1 => IndexAfterStrings(bytes, 2 + 4 + 2), // the refresh token's presence byte
            -2 => bytes.Length - 1 - 10 - 4 - 8 - 1, // the state byte: before generation, four absent optionals, the date, issued at
            _ => offset,
        };
        bytes[at] = value;
        var store = new InMemoryTokenStore();
        await store.WriteAsync(StoreKeys.Credential(credential.Binding), bytes, CancellationToken.None);
        var error = await Assert.ThrowsAsync<McpAuthException>(
            () => new TokenVault(store).GetCredentialAsync(credential.Binding, CancellationToken.None).AsTask());
        Assert.True(error.Code == McpAuthErrorCode.StoreEntryCorrupt, what);
    }

    /// <summary>The offset after <paramref name="count"/> leading bytes and strings: two header bytes, then strings.</summary>
    private static int IndexAfterStrings(byte[] bytes, int count)
    {
        var at = 2;
        for (var i = 2; i < count; i++)
        {
            at += 1 + bytes[at]; // every string in Minimal() is shorter than 128 bytes: a one-byte length
        }
        return at;
    }

    [Fact]
    public void Active_client_round_trips_with_the_serializer_bytes()
    {
        var record = new ActiveClientRecord("default", "https://mcp.example.com/mcp", "https://auth.example.com", "client-1");
        var bytes = StoredRecordCodec.WriteActiveClient(record);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(record, StoreJsonContext.Default.ActiveClientRecord), bytes);
        Assert.Equal(record, StoredRecordCodec.ReadActiveClient(bytes));
    }

    public static TheoryData<string> RegistrationShapes => new() { "full", "minimal" };

    private static StoredRegistration Registration(string shape) => shape == "full"
        ? new StoredRegistration
        {
            Issuer = "https://auth.example.com", RedirectUri = "http://127.0.0.1:33418/callback", ClientId = "client-\"1\"",
            ClientSecret = "secret-é", TokenEndpointAuthMethod = "client_secret_post", Source = "preregistered",
            ClientSecretExpiresAt = Now.AddDays(30).ToOffset(TimeSpan.FromHours(-5)), RegisteredAt = Now,
            RegistrationClientUri = "https://auth.example.com/reg/client-1", RegistrationAccessToken = "rat-1", Unconfirmed = true,
        }
        : new StoredRegistration { Issuer = "https://auth.example.com", RedirectUri = "http://127.0.0.1/cb", ClientId = "c" };

    [Theory]
    [MemberData(nameof(RegistrationShapes))]
    public void Registration_round_trips_with_the_serializer_bytes(string shape)
    {
        AssertSameAsSerializer(Registration(shape), StoreJsonContext.Default.StoredRegistration, StoredRecordCodec.WriteRegistration,
            bytes => StoredRecordCodec.ReadRegistration(bytes));
    }

    /// <summary>The codec writes the serializer's bytes, and each reads what the other wrote.</summary>
    private static void AssertSameAsSerializer<T>(
        T record, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, Func<T, byte[]> write, Func<byte[], T> read)
    {
        var serializer = JsonSerializer.SerializeToUtf8Bytes(record, type);
        var codec = write(record);
        Assert.Equal(Encoding.UTF8.GetString(serializer), Encoding.UTF8.GetString(codec));
        Assert.Equal(record, read(serializer));
        Assert.Equal(record, JsonSerializer.Deserialize(codec, type));
    }

    [Theory]
    [MemberData(nameof(RegistrationShapes))]
    public void Discovery_round_trips_with_the_serializer_bytes(string shape)
    {
        var record = shape == "full"
            ? new DiscoveryRecord
            {
                Resource = "https://mcp.example.com/mcp", ResourceMetadataUrl = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
                Issuer = "https://auth.example.com", AuthorizationServerMetadataUrl = "https://auth.example.com/.well-known/oauth-authorization-server",
                BindingResource = "https://mcp.example.com/mcp/", DiscoveredAt = Now,
            }
            : new DiscoveryRecord { Resource = "r", Issuer = "i" };
        AssertSameAsSerializer(record, StoreJsonContext.Default.DiscoveryRecord, StoredRecordCodec.WriteDiscovery,
            bytes => StoredRecordCodec.ReadDiscovery(bytes));
    }

    [Theory]
    [InlineData("""{"redirect_uri":"u","client_id":"c"}""")]
    [InlineData("""{"issuer":"i","redirect_uri":"u","client_id":null}""")]
    [InlineData("""{"issuer":"i","redirect_uri":"u","client_id":"c","token_endpoint_auth_method":null}""")]
    [InlineData("""{"issuer":"i","redirect_uri":"u","client_id":"c","registered_at":"yesterday"}""")]
    [InlineData("""{"issuer":"i","redirect_uri":"u","client_id":"c"} []""")]
    public async Task Damaged_registrations_are_StoreEntryCorrupt(string json)
    {
        var store = new InMemoryTokenStore();
        await store.WriteAsync(StoreKeys.Registration("i", "u"), Encoding.UTF8.GetBytes(json), CancellationToken.None);
        var error = await Assert.ThrowsAsync<McpAuthException>(() => new TokenVault(store).GetRegistrationAsync("i", "u", CancellationToken.None).AsTask());
        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, error.Code);
    }

    [Theory]
    [InlineData("""{"issuer":"i"}""")]
    [InlineData("""{"resource":"r","issuer":7}""")]
    [InlineData("""{"resource":"r","issuer":"i","discovered_at":null}""")]
    public async Task Damaged_discovery_records_are_StoreEntryCorrupt(string json)
    {
        var store = new InMemoryTokenStore();
        await store.WriteAsync(StoreKeys.Discovery("r"), Encoding.UTF8.GetBytes(json), CancellationToken.None);
        var error = await Assert.ThrowsAsync<McpAuthException>(() => new TokenVault(store).GetDiscoveryAsync("r", CancellationToken.None).AsTask());
        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, error.Code);
    }

    [Fact]
    public void Unknown_members_are_ignored()
    {
        var json = """
            {"future":{"deep":[1,{"x":null}]},"binding":{"profile":"p","resource":"r","issuer":"i","client_id":"c","extra":true},
             "tokens":{"access_token":"at","later":"x","expires_at":null},"token_endpoint":"t","state":"expiring","generation":3,
             "updated_at":"2026-11-22T08:30:15+00:00","trailing":1}
            """;
        var read = StoredRecordCodec.ReadCredential(Encoding.UTF8.GetBytes(json));
        Assert.Equal(new CredentialBinding("p", "r", "i", "c"), read.Binding);
        Assert.Equal("at", read.Tokens.AccessToken);
        Assert.Equal("Bearer", read.Tokens.TokenType);
        Assert.Null(read.Tokens.ExpiresAt);
        Assert.Equal(CredentialState.Expiring, read.State);
        Assert.Equal(3, read.Generation);
        Assert.Equal(Now.AddMilliseconds(-123), read.UpdatedAt);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{\"binding\":")]
    [InlineData("{} {}")]
    [InlineData("""{"tokens":{"access_token":"at"},"token_endpoint":"t"}""")]
    [InlineData("""{"binding":{"profile":"p","resource":"r","issuer":"i"},"tokens":{"access_token":"at"},"token_endpoint":"t"}""")]
    [InlineData("""{"binding":{"profile":"p","resource":"r","issuer":"i","client_id":null},"tokens":{"access_token":"at"},"token_endpoint":"t"}""")]
    [InlineData("""{"binding":{"profile":"p","resource":"r","issuer":"i","client_id":"c"},"tokens":{},"token_endpoint":"t"}""")]
    [InlineData("""{"binding":{"profile":"p","resource":"r","issuer":"i","client_id":"c"},"tokens":{"access_token":"at"}}""")]
    [InlineData("""{"binding":{"profile":"p","resource":"r","issuer":"i","client_id":"c"},"tokens":{"access_token":"at"},"token_endpoint":"t","state":"Gone"}""")]
    [InlineData("""{"binding":{"profile":"p","resource":"r","issuer":"i","client_id":"c"},"tokens":{"access_token":"at"},"token_endpoint":"t","generation":"1"}""")]
    [InlineData("""{"binding":{"profile":"p","resource":"r","issuer":"i","client_id":"c"},"tokens":{"access_token":"at","expires_at":"soon"},"token_endpoint":"t"}""")]
    [InlineData("""{"binding":{"profile":"p","resource":"r","issuer":"i","client_id":"c"},"tokens":{"access_token":"at"},"token_endpoint":"t","updated_at":null}""")]
    public async Task Damaged_credentials_are_StoreEntryCorrupt(string json)
    {
        var store = new InMemoryTokenStore();
        var binding = new CredentialBinding("p", "r", "i", "c");
        await store.WriteAsync(StoreKeys.Credential(binding), Encoding.UTF8.GetBytes(json), CancellationToken.None);
        var error = await Assert.ThrowsAsync<McpAuthException>(() => new TokenVault(store).GetCredentialAsync(binding, CancellationToken.None).AsTask());
        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, error.Code);
    }

    [Fact]
    public async Task The_vault_round_trips_through_the_codec()
    {
        var vault = new TokenVault(new InMemoryTokenStore());
        var credential = Full();
        await vault.SaveCredentialAsync(credential, CancellationToken.None);
        await vault.SetActiveClientIdAsync("default", "r", "i", "client-9", CancellationToken.None);
        AssertSame(credential, (await vault.GetCredentialAsync(credential.Binding, CancellationToken.None))!);
        Assert.Equal("client-9", await vault.GetActiveClientIdAsync("default", "r", "i", CancellationToken.None));
    }

    private static void AssertSame(StoredCredential expected, StoredCredential actual)
    {
        Assert.Equal(expected.Binding, actual.Binding);
        Assert.Equal(expected.Tokens.Extras ?? new Dictionary<string, string>(), actual.Tokens.Extras ?? new Dictionary<string, string>());
        Assert.Equal(expected.Tokens with { Extras = null }, actual.Tokens with { Extras = null });
        Assert.Equal(expected with { Tokens = actual.Tokens }, actual);
    }
}
