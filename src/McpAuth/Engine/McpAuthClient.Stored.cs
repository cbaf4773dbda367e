using McpAuth.Protocol;
using McpAuth.Storage;

namespace McpAuth.Engine;

public sealed partial class McpAuthClient
{
    /// <summary>
    /// Saves the new credential. The flow's writes still under way (<c>behind</c>: discovery record, registration, first
    /// index entry) are flushed first, so a saved credential never lacks what finds it and authenticates its refresh.
    /// </summary>
    private async Task<AccessToken> StoreAsync(
        ResourceSession session, DiscoveryResult discovery, ClientIdentity client, TokenResponse response, IDPoPProofSigner? dpop,
        string? scope, string grant, PendingWrites? behind, CancellationToken ct)
    {
        if (behind is not null)
        {
            await behind.FlushAsync().ConfigureAwait(false);
        }
        var binding = new CredentialBinding(_options.Profile, discovery.Resource, discovery.Issuer, client.ClientId);
        var previous = behind?.Replaced is { } ahead && ahead.Binding == binding
            ? ahead.Credential
            : await ReadReplacedAsync(binding, ct).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var credential = new StoredCredential
        {
            Binding = binding,
            Tokens = response.ToTokenSet(now, null, scope),
            TokenEndpoint = discovery.AuthorizationServer.TokenEndpoint.AbsoluteUri,
            TokenEndpointAuthMethod = client.TokenEndpointAuthMethod,
            RevocationEndpoint = discovery.AuthorizationServer.RevocationEndpoint?.AbsoluteUri,
            RevocationEndpointAuthMethod = TokenRevocation.ChooseMethod(discovery.AuthorizationServer.RevocationEndpointAuthMethodsSupported, client),
            DPoPPrivateJwk = dpop?.PrivateJwk,
            Generation = (previous?.Generation ?? 0) + 1,
            UpdatedAt = now,
        };
        await SaveLoginAsync(credential, ResourceUri.Canonicalize(discovery.Server), behind?.IndexedClientId, ct).ConfigureAwait(false);
        Refresher.Remember(credential);
        session.Credential = credential;
        session.DPoP = dpop;
        session.Client = client;
        EngineLog.TokenObtained(_logger, credential.Tokens.TokenType, discovery.Resource, grant);
        return ToAccessToken(credential, dpop);
    }

    /// <summary>
    /// While the token request is out: reads the credential the login's save will replace (for its generation). (Another
    /// process saving the same binding in between may leave the two saves one generation: the later write wins, as it
    /// would anyway.)
    /// </summary>
    private async ValueTask ReadAheadForSaveAsync(CredentialBinding binding, PendingWrites behind)
    {
        behind.Replaced = (binding, await ReadReplacedAsync(binding, CancellationToken.None).ConfigureAwait(false));
    }

    /// <summary>
    /// The credential a new login of <paramref name="binding"/> replaces (its generation is carried on). A corrupt one
    /// is replaced too, with a warning naming the binding: the user has just logged in to that very binding, and failing
    /// here, after the browser, would leave them no way but deleting the file by hand.
    /// </summary>
    private async Task<StoredCredential?> ReadReplacedAsync(CredentialBinding binding, CancellationToken ct)
    {
        try
        {
            return await _vault.GetCredentialAsync(binding, ct).ConfigureAwait(false);
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.StoreEntryCorrupt)
        {
            EngineLog.ReplacingCorruptCredential(_logger, binding.Resource, binding.Issuer, binding.ClientId);
            return null;
        }
    }

    /// <summary>
    /// Saves a new login's credential, then points the active-client index for (profile, <paramref name="server"/>,
    /// issuer) at its client, unless it already does: as the flow's index claim found or made it while the token request
    /// was out (<paramref name="claimedClientId"/>, see <see cref="ClaimIndexAsync"/>), else as read now. A first login
    /// then reads nothing and makes one write to disk after the token response. (A login by another process that
    /// pointed the index at its own client in between keeps it: both logins work, and the later index write wins, as
    /// it would have anyway.)
    /// </summary>
    private async Task SaveLoginAsync(StoredCredential credential, string server, string? claimedClientId, CancellationToken ct)
    {
        var binding = credential.Binding;
        var indexed = claimedClientId == binding.ClientId
            ? (Readable: true, ClientId: claimedClientId)
            : await ReadIndexAsync(binding.Profile, server, binding.Issuer, ct).ConfigureAwait(false);
        await _vault.SaveCredentialAsync(credential, ct).ConfigureAwait(false);
        if (indexed is not { Readable: true } || indexed.ClientId != binding.ClientId)
        {
            await _vault.SetActiveClientIdAsync(binding.Profile, server, binding.Issuer, binding.ClientId, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// While a login is under way: points an empty active-client index at the client it logs in with, so that its
    /// end need not write the index. Safe before the credential exists, since an index naming a client without a
    /// credential finds nothing, as an empty one does. An index naming another client (a login that may still work)
    /// is left for <see cref="SaveLoginAsync"/> to change once the new credential is saved. Tells
    /// <paramref name="behind"/> when the index names <paramref name="clientId"/> (claimed now or before), so that the
    /// save need not read it again.
    /// </summary>
    private async ValueTask ClaimIndexAsync(string profile, string server, string issuer, string clientId, PendingWrites behind)
    {
        var indexed = await ReadIndexAsync(profile, server, issuer, CancellationToken.None).ConfigureAwait(false);
        if (indexed is { Readable: true, ClientId: null })
        {
            await _vault.SetActiveClientIdAsync(profile, server, issuer, clientId, CancellationToken.None).ConfigureAwait(false);
            indexed = (true, clientId);
        }
        if (indexed is { Readable: true } && indexed.ClientId == clientId)
        {
            behind.IndexedClientId = clientId;
        }
    }

    /// <summary>The index entry as it is: its client id (null when there is none), or unreadable (a corrupt entry, overwritten by the next login).</summary>
    private async Task<(bool Readable, string? ClientId)> ReadIndexAsync(string profile, string server, string issuer, CancellationToken ct)
    {
        try
        {
            return (true, await _vault.GetActiveClientIdAsync(profile, server, issuer, ct).ConfigureAwait(false));
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.StoreEntryCorrupt)
        {
            return (false, null);
        }
    }

    /// <summary>
    /// Reads the stored credential for <paramref name="server"/> into memory ahead of the first request for it, on the
    /// thread pool: reading and decrypting the store (and, in a new process, loading the code and crypto for it) then
    /// overlaps the caller's own start-up, such as the MCP client building its first message. No network: a refresh
    /// or a login stays with the requests. Errors are left for the first request, which reads again and reports them.
    /// </summary>
    internal void Prefetch(Uri server)
    {
        ResourceSession session;
        try
        {
            session = Session(server);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            EngineLog.PrefetchFailed(_logger, e.GetType().Name, (e as McpAuthException)?.Code);
            return;
        }
        session.Prefetching = Task.Run(async () =>
        {
            try
            {
                // A request that came first reads the store itself (see TryGetAccessTokenAsync): nothing to do then.
                if (!await session.Gate.WaitAsync(0).ConfigureAwait(false))
                {
                    return;
                }
                session.PrefetchBegan = true;
                try
                {
                    if (session.Credential is null)
                    {
                        await LoadStoredAsync(session, server, CancellationToken.None).ConfigureAwait(false);
                    }
                }
                finally
                {
                    session.Gate.Release();
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                EngineLog.PrefetchFailed(_logger, e.GetType().Name, (e as McpAuthException)?.Code);
            }
        });
    }

    /// <summary>
    /// Loads a credential stored by an earlier process with no network request: the discovery record of the server
    /// (keyed by its canonical URL) names the issuer and the published resource, the active-client index the client.
    /// Discovery runs again only when a 401 says the stored token no longer works.
    /// </summary>
    private async Task<bool> LoadStoredAsync(ResourceSession session, Uri server, CancellationToken ct)
    {
        if (await FindStoredAsync(server, ct).ConfigureAwait(false) is not { } credential)
        {
            return false;
        }
        if (_options.Client is { } configured && (configured.Issuer is null || configured.Issuer == credential.Binding.Issuer)
            && configured.ClientId != credential.Binding.ClientId)
        {
            // The configured client changed since the login: that login is not this client's.
            return false;
        }
        Refresher.Remember(credential);
        session.Client = null; // its registration is read when a refresh needs it (ClientOfAsync), not at every start
        session.Credential = credential;
        session.Scope = credential.Tokens.Scope;
        session.DPoP = credential.DPoPPrivateJwk is { } jwk ? _grants.DPoPKeyFromJwk(jwk) : null;
        return true;
    }

    /// <summary>
    /// The client <paramref name="session"/>'s credential was issued to, for a request to the token endpoint: as the
    /// login or import that made the credential left it, else, for a credential loaded from the store, found in the
    /// store now (see <see cref="ClientIdentityResolver.FromStoredAsync"/>) and kept. A start whose stored token is
    /// still fresh reads no registration. Called under the session's gate.
    /// </summary>
    private async ValueTask<ClientIdentity> ClientOfAsync(ResourceSession session, StoredCredential credential, CancellationToken ct) =>
        session.Client ??= await _identities.FromStoredAsync(credential, ct).ConfigureAwait(false);

    /// <summary>The stored credential of this profile's active client for <paramref name="server"/>, read without the network.</summary>
    private async Task<StoredCredential?> FindStoredAsync(Uri server, CancellationToken ct)
    {
        var canonical = ResourceUri.Canonicalize(server);
        if (await _vault.GetDiscoveryAsync(canonical, ct).ConfigureAwait(false) is not { } record)
        {
            return null;
        }
        var clientId = await _vault.GetActiveClientIdAsync(_options.Profile, canonical, record.Issuer, ct).ConfigureAwait(false);
        if (clientId is null)
        {
            return null;
        }
        var binding = new CredentialBinding(_options.Profile, record.BindingResource ?? canonical, record.Issuer, clientId);
        var credential = await _vault.GetCredentialAsync(binding, ct).ConfigureAwait(false);
        return credential is { State: not CredentialState.NeedsReauthorization } ? credential : null;
    }
}
