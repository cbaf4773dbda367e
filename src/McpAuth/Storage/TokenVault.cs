using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace McpAuth.Storage;

/// <summary>What <see cref="TokenVault.ListCredentialsAsync"/> found.</summary>
/// <param name="Credentials">Every readable credential.</param>
/// <param name="Unreadable">The keys of entries that could not be read (reported, never deleted).</param>
public sealed record CredentialListing(IReadOnlyList<StoredCredential> Credentials, IReadOnlyList<StoreKey> Unreadable);

/// <summary>A stored credential and the store's version of its entry (for a conditional save).</summary>
/// <param name="Credential">The credential.</param>
/// <param name="Version">The entry's version (<see cref="VersionedEntry.Version"/>).</param>
public sealed record VersionedCredential(StoredCredential Credential, long Version);

/// <summary>
/// The typed layer over an <see cref="ITokenStore"/>: credentials, the active-client index, registrations, discovery
/// results. Serialization happens here once, so every backend stores the same bytes.
/// </summary>
public sealed class TokenVault
{
    private readonly ITokenStore _store;

    /// <summary>Creates the typed layer over <paramref name="store"/>.</summary>
    /// <param name="store">The byte-level backend.</param>
    public TokenVault(ITokenStore store) => _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>The backend.</summary>
    public ITokenStore Store => _store;

    /// <summary>The credential of <paramref name="binding"/>, or null.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreEntryCorrupt"/>, <see cref="McpAuthErrorCode.StoreUnavailable"/>, <see cref="McpAuthErrorCode.StoreKeyUnavailable"/>.</exception>
    public ValueTask<StoredCredential?> GetCredentialAsync(CredentialBinding binding, CancellationToken cancellationToken) =>
        ReadAsync(StoreKeys.Credential(binding), ReadCredential, cancellationToken);

    /// <summary>Stores <paramref name="credential"/> under its binding, replacing any previous one.</summary>
    public ValueTask SaveCredentialAsync(StoredCredential credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return _store.WriteAsync(StoreKeys.Credential(credential.Binding), StoredRecordCodec.WriteCredential(credential), cancellationToken);
    }

    /// <summary>The credential of <paramref name="binding"/> with the store's version of its entry, or null.</summary>
    /// <exception cref="McpAuthException">As <see cref="GetCredentialAsync"/>.</exception>
    public async ValueTask<VersionedCredential?> GetVersionedCredentialAsync(CredentialBinding binding, CancellationToken cancellationToken)
    {
        var key = StoreKeys.Credential(binding);
        var entry = await _store.ReadVersionedAsync(key, cancellationToken).ConfigureAwait(false);
        return entry is null ? null : new VersionedCredential(Decode(key, entry.Value, ReadCredential), entry.Version);
    }

    /// <summary>
    /// Saves <paramref name="credential"/> only when its stored entry is still at <paramref name="expectedVersion"/>
    /// (<see cref="VersionedEntry.Absent"/>: when none is stored) and, when given, <paramref name="lease"/> is still the
    /// current one (see <see cref="ITokenStore.WriteIfVersionAsync"/>).
    /// </summary>
    /// <returns>The new version, or null when a condition failed and nothing was written.</returns>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreUnavailable"/>.</exception>
    public ValueTask<long?> TrySaveCredentialAsync(StoredCredential credential, long expectedVersion, StoreLease? lease,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return _store.WriteIfVersionAsync(StoreKeys.Credential(credential.Binding), StoredRecordCodec.WriteCredential(credential),
            expectedVersion, lease, cancellationToken);
    }

    /// <summary>Lets the store prepare for saving the credential of <paramref name="binding"/> (see <see cref="ITokenStore.PrepareWriteAsync"/>).</summary>
    public ValueTask PrepareCredentialAsync(CredentialBinding binding, CancellationToken cancellationToken) =>
        _store.PrepareWriteAsync(StoreKeys.Credential(binding), cancellationToken);

    /// <summary>Deletes the credential of <paramref name="binding"/>; false when there was none.</summary>
    public ValueTask<bool> DeleteCredentialAsync(CredentialBinding binding, CancellationToken cancellationToken) =>
        _store.DeleteAsync(StoreKeys.Credential(binding), cancellationToken);

    /// <summary>Every readable credential, and the keys of those that could not be read (reported, never deleted).</summary>
    public async ValueTask<CredentialListing> ListCredentialsAsync(CancellationToken cancellationToken)
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
        return new(credentials, unreadable);
    }

    /// <summary>The client id whose credential is active for a profile, resource and issuer, or null.</summary>
    public async ValueTask<string?> GetActiveClientIdAsync(string profile, string resource, string issuer, CancellationToken cancellationToken)
    {
        var record = await ReadAsync(StoreKeys.ActiveClient(profile, resource, issuer), ReadActiveClient, cancellationToken)
            .ConfigureAwait(false);
        return record?.ClientId;
    }

    /// <summary>Records the client id whose credential is active for a profile, resource and issuer.</summary>
    public ValueTask SetActiveClientIdAsync(string profile, string resource, string issuer, string clientId, CancellationToken cancellationToken) =>
        _store.WriteAsync(StoreKeys.ActiveClient(profile, resource, issuer),
            StoredRecordCodec.WriteActiveClient(new ActiveClientRecord(profile, resource, issuer, clientId)), cancellationToken);

    /// <summary>Forgets the active client id for a profile, resource and issuer; false when there was none.</summary>
    public ValueTask<bool> ClearActiveClientAsync(string profile, string resource, string issuer, CancellationToken cancellationToken) =>
        _store.DeleteAsync(StoreKeys.ActiveClient(profile, resource, issuer), cancellationToken);

    /// <summary>The client registration at <paramref name="issuer"/> for <paramref name="redirectUri"/>, or null.</summary>
    public ValueTask<StoredRegistration?> GetRegistrationAsync(string issuer, string redirectUri, CancellationToken cancellationToken) =>
        ReadAsync(StoreKeys.Registration(issuer, redirectUri), ReadRegistration, cancellationToken);

    /// <summary>Stores a client registration (RFC 7591), replacing any previous one.</summary>
    public ValueTask SaveRegistrationAsync(StoredRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return _store.WriteAsync(StoreKeys.Registration(registration.Issuer, registration.RedirectUri),
            StoredRecordCodec.WriteRegistration(registration), cancellationToken);
    }

    /// <summary>Every readable registration (unreadable entries are skipped, never deleted).</summary>
    public async ValueTask<IReadOnlyList<StoredRegistration>> ListRegistrationsAsync(CancellationToken cancellationToken)
    {
        var registrations = new List<StoredRegistration>();
        foreach (var key in await _store.ListAsync(StoreEntryKind.Registration, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                if (await ReadAsync(key, ReadRegistration, cancellationToken).ConfigureAwait(false) is { } r)
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

    /// <summary>Deletes a client registration; false when there was none.</summary>
    public ValueTask<bool> DeleteRegistrationAsync(string issuer, string redirectUri, CancellationToken cancellationToken) =>
        _store.DeleteAsync(StoreKeys.Registration(issuer, redirectUri), cancellationToken);

    /// <summary>The discovery record of <paramref name="resource"/>, or null.</summary>
    public ValueTask<DiscoveryRecord?> GetDiscoveryAsync(string resource, CancellationToken cancellationToken) =>
        ReadAsync(StoreKeys.Discovery(resource), ReadDiscovery, cancellationToken);

    /// <summary>Stores a discovery record, replacing any previous one.</summary>
    public ValueTask SaveDiscoveryAsync(DiscoveryRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _store.WriteAsync(StoreKeys.Discovery(record.Resource), StoredRecordCodec.WriteDiscovery(record), cancellationToken);
    }

    /// <summary>The cached IdP ID token of <paramref name="profile"/> at <paramref name="idpIssuer"/>, or null.</summary>
    public ValueTask<IdentityTokenRecord?> GetIdentityTokenAsync(string profile, string idpIssuer, CancellationToken cancellationToken) =>
        ReadAsync(StoreKeys.IdentityToken(profile, idpIssuer), StoreJsonContext.Default.IdentityTokenRecord, cancellationToken);

    /// <summary>Caches an IdP ID token, replacing any previous one.</summary>
    public ValueTask SaveIdentityTokenAsync(IdentityTokenRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return WriteAsync(StoreKeys.IdentityToken(record.Profile, record.IdpIssuer), record, StoreJsonContext.Default.IdentityTokenRecord,
            cancellationToken);
    }

    /// <summary>Deletes the cached IdP ID token; false when there was none.</summary>
    public ValueTask<bool> DeleteIdentityTokenAsync(string profile, string idpIssuer, CancellationToken cancellationToken) =>
        _store.DeleteAsync(StoreKeys.IdentityToken(profile, idpIssuer), cancellationToken);

    // The records a starting process reads go through the hand-written codec (no JIT-compiled serializer generics at
    // start); only the enterprise-managed ID token record still uses the source-generated serializer.
    private static readonly Func<byte[], StoredCredential?> ReadCredential = bytes => StoredRecordCodec.ReadCredential(bytes);
    private static readonly Func<byte[], ActiveClientRecord?> ReadActiveClient = bytes => StoredRecordCodec.ReadActiveClient(bytes);
    private static readonly Func<byte[], StoredRegistration?> ReadRegistration = bytes => StoredRecordCodec.ReadRegistration(bytes);
    private static readonly Func<byte[], DiscoveryRecord?> ReadDiscovery = bytes => StoredRecordCodec.ReadDiscovery(bytes);

    private ValueTask<T?> ReadAsync<T>(StoreKey key, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class =>
        ReadAsync(key, bytes => JsonSerializer.Deserialize(bytes, type), cancellationToken);

    /// <summary>Reads and decodes one entry; null when absent.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreEntryCorrupt"/> when it does not decode.</exception>
    private async ValueTask<T?> ReadAsync<T>(StoreKey key, Func<byte[], T?> decode, CancellationToken cancellationToken)
        where T : class
    {
        var bytes = await _store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : Decode(key, bytes, decode);
    }

    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreEntryCorrupt"/> when it does not decode.</exception>
    private static T Decode<T>(StoreKey key, byte[] bytes, Func<byte[], T?> decode)
        where T : class
    {
        try
        {
            return decode(bytes) ?? throw new McpAuthException(McpAuthErrorCode.StoreEntryCorrupt, key.ToString());
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            // Utf8JsonReader reports invalid UTF-8 inside a string as InvalidOperationException when it is transcoded.
            throw new McpAuthException(McpAuthErrorCode.StoreEntryCorrupt, key.ToString(), e);
        }
    }

    private ValueTask WriteAsync<T>(StoreKey key, T value, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        _store.WriteAsync(key, JsonSerializer.SerializeToUtf8Bytes(value, type), cancellationToken);
}
