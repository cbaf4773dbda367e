using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace McpAuth.Storage;

/// <summary>
/// The typed layer over an <see cref="ITokenStore"/>: credentials, the active-client index, registrations, discovery
/// results. Serialization happens here once, so every backend stores the same bytes.
/// </summary>
public sealed class TokenVault
{
    private readonly ITokenStore _store;

    public TokenVault(ITokenStore store) => _store = store ?? throw new ArgumentNullException(nameof(store));

    public ITokenStore Store => _store;

    public ValueTask<StoredCredential?> GetCredentialAsync(CredentialBinding binding, CancellationToken cancellationToken) =>
        ReadAsync(StoreKeys.Credential(binding), ReadCredential, cancellationToken);

    public ValueTask SaveCredentialAsync(StoredCredential credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return _store.WriteAsync(StoreKeys.Credential(credential.Binding), StoredRecordCodec.WriteCredential(credential), cancellationToken);
    }

    public ValueTask<bool> DeleteCredentialAsync(CredentialBinding binding, CancellationToken cancellationToken) =>
        _store.DeleteAsync(StoreKeys.Credential(binding), cancellationToken);

    /// <summary>Every readable credential, and the keys of those that could not be read (reported, never deleted).</summary>
    public async ValueTask<(IReadOnlyList<StoredCredential> Credentials, IReadOnlyList<StoreKey> Unreadable)> ListCredentialsAsync(
        CancellationToken cancellationToken)
    {
        var keys = await _store.ListAsync(StoreEntryKind.Credential, cancellationToken).ConfigureAwait(false);
        var credentials = new List<StoredCredential>(keys.Count);
        var unreadable = new List<StoreKey>();
        foreach (var key in keys)
        {
            try
            {
                if (await ReadAsync(key, ReadCredential, cancellationToken).ConfigureAwait(false) is { } c)
                {
                    credentials.Add(c);
                }
            }
            catch (McpAuthException e) when (e.Code is McpAuthErrorCode.StoreEntryCorrupt or McpAuthErrorCode.StoreKeyUnavailable)
            {
                unreadable.Add(key);
            }
        }
        return (credentials, unreadable);
    }

    public async ValueTask<string?> GetActiveClientIdAsync(string profile, string resource, string issuer, CancellationToken cancellationToken)
    {
        var record = await ReadAsync(StoreKeys.ActiveClient(profile, resource, issuer), ReadActiveClient, cancellationToken)
            .ConfigureAwait(false);
        return record?.ClientId;
    }

    public ValueTask SetActiveClientIdAsync(string profile, string resource, string issuer, string clientId, CancellationToken cancellationToken) =>
        _store.WriteAsync(StoreKeys.ActiveClient(profile, resource, issuer),
            StoredRecordCodec.WriteActiveClient(new ActiveClientRecord(profile, resource, issuer, clientId)), cancellationToken);

    public ValueTask<bool> ClearActiveClientAsync(string profile, string resource, string issuer, CancellationToken cancellationToken) =>
        _store.DeleteAsync(StoreKeys.ActiveClient(profile, resource, issuer), cancellationToken);

    public ValueTask<StoredRegistration?> GetRegistrationAsync(string issuer, string redirectUri, CancellationToken cancellationToken) =>
        ReadAsync(StoreKeys.Registration(issuer, redirectUri), StoreJsonContext.Default.StoredRegistration, cancellationToken);

    public ValueTask SaveRegistrationAsync(StoredRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return WriteAsync(StoreKeys.Registration(registration.Issuer, registration.RedirectUri), registration,
            StoreJsonContext.Default.StoredRegistration, cancellationToken);
    }

    /// <summary>Every readable registration (unreadable entries are skipped, never deleted).</summary>
    public async ValueTask<IReadOnlyList<StoredRegistration>> ListRegistrationsAsync(CancellationToken cancellationToken)
    {
        var registrations = new List<StoredRegistration>();
        foreach (var key in await _store.ListAsync(StoreEntryKind.Registration, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                if (await ReadAsync(key, StoreJsonContext.Default.StoredRegistration, cancellationToken).ConfigureAwait(false) is { } r)
                {
                    registrations.Add(r);
                }
            }
            catch (McpAuthException e) when (e.Code is McpAuthErrorCode.StoreEntryCorrupt or McpAuthErrorCode.StoreKeyUnavailable)
            {
            }
        }
        return registrations;
    }

    public ValueTask<bool> DeleteRegistrationAsync(string issuer, string redirectUri, CancellationToken cancellationToken) =>
        _store.DeleteAsync(StoreKeys.Registration(issuer, redirectUri), cancellationToken);

    public ValueTask<DiscoveryRecord?> GetDiscoveryAsync(string resource, CancellationToken cancellationToken) =>
        ReadAsync(StoreKeys.Discovery(resource), StoreJsonContext.Default.DiscoveryRecord, cancellationToken);

    public ValueTask SaveDiscoveryAsync(DiscoveryRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return WriteAsync(StoreKeys.Discovery(record.Resource), record, StoreJsonContext.Default.DiscoveryRecord, cancellationToken);
    }

    public ValueTask<IdentityTokenRecord?> GetIdentityTokenAsync(string profile, string idpIssuer, CancellationToken cancellationToken) =>
        ReadAsync(StoreKeys.IdentityToken(profile, idpIssuer), StoreJsonContext.Default.IdentityTokenRecord, cancellationToken);

    public ValueTask SaveIdentityTokenAsync(IdentityTokenRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return WriteAsync(StoreKeys.IdentityToken(record.Profile, record.IdpIssuer), record, StoreJsonContext.Default.IdentityTokenRecord,
            cancellationToken);
    }

    public ValueTask<bool> DeleteIdentityTokenAsync(string profile, string idpIssuer, CancellationToken cancellationToken) =>
        _store.DeleteAsync(StoreKeys.IdentityToken(profile, idpIssuer), cancellationToken);

    // The records `mcpauth token` reads go through the hand-written codec (no JIT-compiled serializer generics at start).
    private static readonly Func<byte[], StoredCredential?> ReadCredential = bytes => StoredRecordCodec.ReadCredential(bytes);
    private static readonly Func<byte[], ActiveClientRecord?> ReadActiveClient = bytes => StoredRecordCodec.ReadActiveClient(bytes);

    private ValueTask<T?> ReadAsync<T>(StoreKey key, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class =>
        ReadAsync(key, bytes => JsonSerializer.Deserialize(bytes, type), cancellationToken);

    /// <summary>Reads and decodes one entry; null when absent.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreEntryCorrupt"/> when it does not decode.</exception>
    private async ValueTask<T?> ReadAsync<T>(StoreKey key, Func<byte[], T?> decode, CancellationToken cancellationToken)
        where T : class
    {
        var bytes = await _store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }
        try
        {
            return decode(bytes) ?? throw new McpAuthException(McpAuthErrorCode.StoreEntryCorrupt, key.ToString());
        }
        catch (JsonException e)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreEntryCorrupt, key.ToString(), e);
        }
    }

    private ValueTask WriteAsync<T>(StoreKey key, T value, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        _store.WriteAsync(key, JsonSerializer.SerializeToUtf8Bytes(value, type), cancellationToken);
}
