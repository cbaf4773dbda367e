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
/// results, identity tokens. Encoding happens here once (<see cref="StoredEntryCodec"/>), so every backend stores the
/// same bytes.
/// </summary>
/// <remarks>
/// An entry a newer McpAuth wrote is never overwritten or deleted: every save and delete first reads the entry there
/// and, when it is of a newer format, refuses with <see cref="McpAuthErrorCode.StoreEntryFromNewerVersion"/>. (A
/// damaged entry, or one sealed under another key, is replaced as before: the caller that saves has decided so.) That
/// costs each change one more read of the entry it replaces, never a read path; a newer McpAuth that writes the same
/// entry between that read and the write can still lose its write.
/// </remarks>
public sealed class TokenVault
{
    private readonly ITokenStore _store;

    /// <summary>Creates the typed layer over <paramref name="store"/>.</summary>
    /// <param name="store">The byte-level backend.</param>
    public TokenVault(ITokenStore store) => _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>The backend.</summary>
    public ITokenStore Store => _store;

    private static StoreJsonContext Json => StoreJsonContext.Default;

    /// <summary>The credential of <paramref name="binding"/>, or null.</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StoreEntryCorrupt"/>, <see cref="McpAuthErrorCode.StoreEntryFromNewerVersion"/>,
    /// <see cref="McpAuthErrorCode.StoreUnavailable"/>, <see cref="McpAuthErrorCode.StoreKeyUnavailable"/>.
    /// </exception>
    public ValueTask<StoredCredential?> GetCredentialAsync(CredentialBinding binding, CancellationToken cancellationToken) =>
        ReadAsync(StoreKeys.Credential(binding), Json.StoredEntryStoredCredential, cancellationToken);

    /// <summary>Stores <paramref name="credential"/> under its binding, replacing any previous one.</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StoreEntryFromNewerVersion"/> (nothing is written); store errors.
    /// </exception>
    public ValueTask SaveCredentialAsync(StoredCredential credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return WriteAsync(StoreKeys.Credential(credential.Binding), credential, Json.StoredEntryStoredCredential, cancellationToken);
    }

    /// <summary>The credential of <paramref name="binding"/> with the store's version of its entry, or null.</summary>
    /// <exception cref="McpAuthException">As <see cref="GetCredentialAsync"/>.</exception>
    public async ValueTask<VersionedCredential?> GetVersionedCredentialAsync(CredentialBinding binding, CancellationToken cancellationToken)
    {
        var key = StoreKeys.Credential(binding);
        var entry = await _store.ReadVersionedAsync(key, cancellationToken).ConfigureAwait(false);
        return entry is null ? null : new VersionedCredential(StoredEntryCodec.Decode(key, entry.Value, Json.StoredEntryStoredCredential), entry.Version);
    }

    /// <summary>
    /// Saves <paramref name="credential"/> only when its stored entry is still at <paramref name="expectedVersion"/>
    /// (<see cref="VersionedEntry.Absent"/>: when none is stored) and, when given, <paramref name="lease"/> is still the
    /// current one (see <see cref="ITokenStore.WriteIfVersionAsync"/>). The version closes the race the unconditional
    /// saves leave open: an entry rewritten since (by a newer McpAuth too) has another version, so nothing is written.
    /// </summary>
    /// <returns>The new version, or null when a condition failed and nothing was written.</returns>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreUnavailable"/>.</exception>
    public ValueTask<long?> TrySaveCredentialAsync(StoredCredential credential, long expectedVersion, StoreLease? lease,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return _store.WriteIfVersionAsync(StoreKeys.Credential(credential.Binding), StoredEntryCodec.Encode(credential, Json.StoredEntryStoredCredential),
            expectedVersion, lease, cancellationToken);
    }

    /// <summary>Deletes the credential of <paramref name="binding"/>; false when there was none.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreEntryFromNewerVersion"/> (nothing is deleted); store errors.</exception>
    public ValueTask<bool> DeleteCredentialAsync(CredentialBinding binding, CancellationToken cancellationToken) =>
        DeleteAsync(StoreKeys.Credential(binding), cancellationToken);

    /// <summary>
    /// Every readable credential, and the keys of those that could not be read (damaged, sealed under another key, or
    /// written by a newer McpAuth): reported, never deleted.
    /// </summary>
    public async ValueTask<CredentialListing> ListCredentialsAsync(CancellationToken cancellationToken)
    {
        var keys = await _store.ListAsync(StoreEntryKind.Credential, cancellationToken).ConfigureAwait(false);
        var credentials = new List<StoredCredential>(keys.Count);
        var unreadable = new List<StoreKey>();
        foreach (var key in keys)
        {
            try
            {
                if (await ReadAsync(key, Json.StoredEntryStoredCredential, cancellationToken).ConfigureAwait(false) is { } c)
                {
                    credentials.Add(c);
                }
            }
            catch (McpAuthException e) when (IsUnreadable(e))
            {
                unreadable.Add(key);
            }
        }
        return new(credentials, unreadable);
    }

    /// <summary>The client id whose credential is active for a profile, resource and issuer, or null.</summary>
    public async ValueTask<string?> GetActiveClientIdAsync(string profile, string resource, string issuer, CancellationToken cancellationToken)
    {
        var record = await ReadAsync(StoreKeys.ActiveClient(profile, resource, issuer), Json.StoredEntryActiveClientRecord, cancellationToken)
            .ConfigureAwait(false);
        return record?.ClientId;
    }

    /// <summary>Records the client id whose credential is active for a profile, resource and issuer.</summary>
    public ValueTask SetActiveClientIdAsync(string profile, string resource, string issuer, string clientId, CancellationToken cancellationToken) =>
        WriteAsync(StoreKeys.ActiveClient(profile, resource, issuer), new ActiveClientRecord(profile, resource, issuer, clientId),
            Json.StoredEntryActiveClientRecord, cancellationToken);

    /// <summary>Forgets the active client id for a profile, resource and issuer; false when there was none.</summary>
    public ValueTask<bool> ClearActiveClientAsync(string profile, string resource, string issuer, CancellationToken cancellationToken) =>
        DeleteAsync(StoreKeys.ActiveClient(profile, resource, issuer), cancellationToken);

    /// <summary>The client registration at <paramref name="issuer"/> for <paramref name="redirectUri"/>, or null.</summary>
    public ValueTask<StoredRegistration?> GetRegistrationAsync(string issuer, string redirectUri, CancellationToken cancellationToken) =>
        ReadAsync(StoreKeys.Registration(issuer, redirectUri), Json.StoredEntryStoredRegistration, cancellationToken);

    /// <summary>Stores a client registration (RFC 7591), replacing any previous one.</summary>
    public ValueTask SaveRegistrationAsync(StoredRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return WriteAsync(StoreKeys.Registration(registration.Issuer, registration.RedirectUri), registration,
            Json.StoredEntryStoredRegistration, cancellationToken);
    }

    /// <summary>Every readable registration (unreadable entries are skipped, never deleted).</summary>
    public async ValueTask<IReadOnlyList<StoredRegistration>> ListRegistrationsAsync(CancellationToken cancellationToken)
    {
        var registrations = new List<StoredRegistration>();
        foreach (var key in await _store.ListAsync(StoreEntryKind.Registration, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                if (await ReadAsync(key, Json.StoredEntryStoredRegistration, cancellationToken).ConfigureAwait(false) is { } r)
                {
                    registrations.Add(r);
                }
            }
            catch (McpAuthException e) when (IsUnreadable(e))
            {
            }
        }
        return registrations;
    }

    /// <summary>Deletes a client registration; false when there was none.</summary>
    public ValueTask<bool> DeleteRegistrationAsync(string issuer, string redirectUri, CancellationToken cancellationToken) =>
        DeleteAsync(StoreKeys.Registration(issuer, redirectUri), cancellationToken);

    /// <summary>The discovery record of <paramref name="resource"/>, or null.</summary>
    public ValueTask<DiscoveryRecord?> GetDiscoveryAsync(string resource, CancellationToken cancellationToken) =>
        ReadAsync(StoreKeys.Discovery(resource), Json.StoredEntryDiscoveryRecord, cancellationToken);

    /// <summary>Stores a discovery record, replacing any previous one.</summary>
    public ValueTask SaveDiscoveryAsync(DiscoveryRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return WriteAsync(StoreKeys.Discovery(record.Resource), record, Json.StoredEntryDiscoveryRecord, cancellationToken);
    }

    /// <summary>The cached IdP ID token of <paramref name="profile"/> at <paramref name="idpIssuer"/>, or null.</summary>
    public ValueTask<IdentityTokenRecord?> GetIdentityTokenAsync(string profile, string idpIssuer, CancellationToken cancellationToken) =>
        ReadAsync(StoreKeys.IdentityToken(profile, idpIssuer), Json.StoredEntryIdentityTokenRecord, cancellationToken);

    /// <summary>Caches an IdP ID token, replacing any previous one.</summary>
    public ValueTask SaveIdentityTokenAsync(IdentityTokenRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return WriteAsync(StoreKeys.IdentityToken(record.Profile, record.IdpIssuer), record, Json.StoredEntryIdentityTokenRecord,
            cancellationToken);
    }

    /// <summary>Deletes the cached IdP ID token; false when there was none.</summary>
    public ValueTask<bool> DeleteIdentityTokenAsync(string profile, string idpIssuer, CancellationToken cancellationToken) =>
        DeleteAsync(StoreKeys.IdentityToken(profile, idpIssuer), cancellationToken);

    private static bool IsUnreadable(McpAuthException e) => e.Code is McpAuthErrorCode.StoreEntryCorrupt
        or McpAuthErrorCode.StoreKeyUnavailable or McpAuthErrorCode.StoreEntryFromNewerVersion;

    /// <summary>Reads and decodes one entry; null when absent.</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StoreEntryCorrupt"/> or <see cref="McpAuthErrorCode.StoreEntryFromNewerVersion"/>
    /// when it does not decode; the store's errors.
    /// </exception>
    private async ValueTask<T?> ReadAsync<T>(StoreKey key, JsonTypeInfo<StoredEntry<T>> type, CancellationToken cancellationToken)
        where T : class
    {
        var bytes = await _store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : StoredEntryCodec.Decode(key, bytes, type);
    }

    private async ValueTask WriteAsync<T>(StoreKey key, T record, JsonTypeInfo<StoredEntry<T>> type, CancellationToken cancellationToken)
        where T : class
    {
        var bytes = StoredEntryCodec.Encode(record, type);
        await RefuseNewerEntryAsync(key, cancellationToken).ConfigureAwait(false);
        await _store.WriteAsync(key, bytes, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<bool> DeleteAsync(StoreKey key, CancellationToken cancellationToken)
    {
        await RefuseNewerEntryAsync(key, cancellationToken).ConfigureAwait(false);
        return await _store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Throws when the entry at <paramref name="key"/> was written by a newer McpAuth, so that it is neither replaced nor
    /// deleted. A missing, damaged or otherwise unreadable entry lets the change go on, as it always did.
    /// </summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreEntryFromNewerVersion"/>; the store's read errors.</exception>
    private async ValueTask RefuseNewerEntryAsync(StoreKey key, CancellationToken cancellationToken)
    {
        byte[]? existing;
        try
        {
            existing = await _store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (McpAuthException e) when (e.Code is McpAuthErrorCode.StoreEntryCorrupt or McpAuthErrorCode.StoreKeyUnavailable)
        {
            return;
        }
        if (existing is not null && StoredEntryCodec.FormatOf(existing) > StoredEntryCodec.CurrentFormat)
        {
            throw StoredEntryCodec.FromNewerVersion(key);
        }
    }
}
