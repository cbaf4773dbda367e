using McpAuth.Storage;
using McpAuth.Storage.Keys;
using Xunit.Abstractions;

namespace McpAuth.Hardening.Tests.Fuzz;

/// <summary>
/// Generated-input tests of stored entries: the vault's JSON decoding (any backend) and the file store's sealed files.
/// A damaged entry must read as <see cref="McpAuthErrorCode.StoreEntryCorrupt"/> (or another McpAuth code), never as
/// another exception and never as a record with a <c>required</c> member missing. (Members with initializers, such as
/// <c>token_type</c>, are required in an entry: source-generated deserialization would read an absent one as null.) An
/// entry whose format is above the current one reads as <see cref="McpAuthErrorCode.StoreEntryFromNewerVersion"/>.
/// </summary>
public sealed class StoreFuzzTests(ITestOutputHelper output) : IDisposable
{
    private static readonly CredentialBinding Binding = new("default", "https://mcp.example.com/mcp", "https://as.example.com", "client-1");
    private readonly string _home = Path.Combine(Path.GetTempPath(), "mcpauth-hardening", Guid.NewGuid().ToString("N"));

    private static StoredCredential Credential => new()
    {
        Binding = Binding,
        Tokens = new TokenSet
        {
            AccessToken = "at-1", RefreshToken = "rt-1", ExpiresAt = DateTimeOffset.UnixEpoch.AddDays(20000), Scope = "mcp:read",
            Extras = new Dictionary<string, string> { ["user"] = "ann" },
        },
        TokenEndpoint = "https://as.example.com/token",
        State = CredentialState.Valid,
        Generation = 3,
        DPoPPrivateJwk = """{"kty":"EC","crv":"P-256","x":"a","y":"b","d":"c"}""",
        UpdatedAt = DateTimeOffset.UnixEpoch.AddDays(20000),
    };

    [Fact]
    public async Task Vault_entries()
    {
        var store = new InMemoryTokenStore();
        var vault = new TokenVault(store);
        await vault.SaveCredentialAsync(Credential, CancellationToken.None);
        await vault.SaveRegistrationAsync(new StoredRegistration
        {
            Issuer = "https://as.example.com", RedirectUri = "http://127.0.0.1:33418/callback", ClientId = "client-1", ClientSecret = "cs",
            TokenEndpointAuthMethod = "client_secret_basic", ClientSecretExpiresAt = DateTimeOffset.UnixEpoch.AddDays(20000),
        }, CancellationToken.None);
        await vault.SaveDiscoveryAsync(new DiscoveryRecord
        {
            Resource = "https://mcp.example.com/mcp", ResourceMetadataUrl = "https://mcp.example.com/.well-known/oauth-protected-resource",
            Issuer = "https://as.example.com", BindingResource = "https://mcp.example.com/mcp", DiscoveredAt = DateTimeOffset.UnixEpoch.AddDays(20000),
        }, CancellationToken.None);
        var credentialKey = StoreKeys.Credential(Binding);
        var registrationKey = StoreKeys.Registration("https://as.example.com", "http://127.0.0.1:33418/callback");
        var discoveryKey = StoreKeys.Discovery("https://mcp.example.com/mcp");
        byte[][] seeds = [await Read(store, credentialKey), await Read(store, registrationKey), await Read(store, discoveryKey)];
        var report = FuzzHarness.Run("vault-entry", FuzzHarness.Cases(2000),
            r => (Kind: r.Next(3), Bytes: Mutator.Mutate(r, seeds)),
            input =>
            {
                if (input.Kind == 2)
                {
                    store.WriteAsync(discoveryKey, input.Bytes, CancellationToken.None).AsTask().Wait();
                    if (vault.GetDiscoveryAsync("https://mcp.example.com/mcp", CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } d)
                    {
                        RequireMembers(d.Resource, d.Issuer);
                    }
                }
                else if (input.Kind == 0)
                {
                    store.WriteAsync(credentialKey, input.Bytes, CancellationToken.None).AsTask().Wait();
                    if (vault.GetCredentialAsync(Binding, CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } c)
                    {
                        RequireMembers(c.Binding?.Profile, c.Binding?.Resource, c.Binding?.Issuer, c.Binding?.ClientId, c.Tokens?.AccessToken,
                            c.TokenEndpoint);
                    }
                }
                else
                {
                    store.WriteAsync(registrationKey, input.Bytes, CancellationToken.None).AsTask().Wait();
                    if (vault.GetRegistrationAsync("https://as.example.com", "http://127.0.0.1:33418/callback", CancellationToken.None)
                        .AsTask().GetAwaiter().GetResult() is { } g)
                    {
                        RequireMembers(g.Issuer, g.RedirectUri, g.ClientId);
                    }
                }
            },
            input => FuzzHarness.Show(input.Bytes));
        output.WriteLine(report.ToString());
    }

    [Fact]
    public async Task File_store_sealed_entries()
    {
        var store = FileTokenStore.Open(new FileTokenStoreOptions
        {
            Home = _home,
            KeyProtectors = [new KeyFileProtector(Path.Combine(_home, "store.key"))],
        });
        var vault = new TokenVault(store);
        await vault.SaveCredentialAsync(Credential, CancellationToken.None);
        var path = store.EntryPath(StoreKeys.Credential(Binding));
        var sealedEntry = File.ReadAllBytes(path);
        var report = FuzzHarness.Run("file-store-entry", FuzzHarness.Cases(400),
            r => Mutator.Mutate(r, [sealedEntry]),
            bytes =>
            {
                File.WriteAllBytes(path, bytes);
                var read = vault.GetCredentialAsync(Binding, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                if (read is not null && !bytes.AsSpan().SequenceEqual(sealedEntry))
                {
                    throw new InvalidOperationException("a damaged sealed entry decrypted");
                }
            },
            FuzzHarness.Show);
        output.WriteLine(report.ToString());
    }

    public void Dispose()
    {
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    private static async Task<byte[]> Read(ITokenStore store, StoreKey key) =>
        await store.ReadAsync(key, CancellationToken.None) ?? throw new InvalidOperationException("seed missing");

    private static void RequireMembers(params string?[] values)
    {
        if (values.Any(v => v is null))
        {
            throw new InvalidOperationException("a decoded entry lacks a required member");
        }
    }
}

