using McpAuth.Protocol;
using McpAuth.Storage;

namespace McpAuth.Engine;

/// <summary>A stored credential found for a server, with the discovery record that led to it (null when none did).</summary>
/// <param name="Credential">The credential.</param>
/// <param name="Discovery">The server's discovery record, when the credential was found through it.</param>
internal sealed record FoundCredential(StoredCredential Credential, DiscoveryRecord? Discovery);

/// <summary>
/// The one way to find a server's stored credential without the network: the server's discovery record (keyed by its
/// canonical URL) names the issuer and the resource the credential is bound to, the active-client index of (profile,
/// resource, issuer) names the client, and the binding names the credential. A server without a record (a URL spelled
/// otherwise than at login, a store written by an import) is matched against the stored resources instead.
/// </summary>
internal sealed class CredentialFinder(TokenVault vault, McpAuthOptions options)
{
    /// <summary>The credential of <paramref name="profile"/> (this engine's when null) for <paramref name="server"/>, or null.</summary>
    /// <exception cref="McpAuthException">Store errors, <see cref="McpAuthErrorCode.StoreEntryCorrupt"/> naming the entry.</exception>
    public async Task<FoundCredential?> FindAsync(Uri server, string? profile, CancellationToken ct)
    {
        profile ??= options.Profile;
        var canonical = ResourceUri.Canonicalize(server);
        if (await vault.GetDiscoveryAsync(canonical, ct).ConfigureAwait(false) is { } record)
        {
            var resource = record.BindingResource ?? canonical;
            if (await vault.GetActiveClientIdAsync(profile, resource, record.Issuer, ct).ConfigureAwait(false) is { } clientId
                && await vault.GetCredentialAsync(new CredentialBinding(profile, resource, record.Issuer, clientId), ct).ConfigureAwait(false) is { } found)
            {
                return new FoundCredential(found, record);
            }
        }
        return await FindByResourceAsync(canonical, profile, ct).ConfigureAwait(false) is { } matched ? new FoundCredential(matched, null) : null;
    }

    /// <summary>
    /// The credentials of <paramref name="profile"/> bound to the resource <paramref name="canonical"/> (a trailing slash
    /// ignored): the active client's when several, else the most recently updated.
    /// </summary>
    private async Task<StoredCredential?> FindByResourceAsync(string canonical, string profile, CancellationToken ct)
    {
        var (credentials, _) = await vault.ListCredentialsAsync(ct).ConfigureAwait(false);
        var matching = credentials.Where(c => c.Binding.Profile == profile && SameResource(c.Binding.Resource, canonical)).ToList();
        if (matching.Count <= 1)
        {
            return matching.FirstOrDefault();
        }
        foreach (var candidate in matching)
        {
            var b = candidate.Binding;
            if (await vault.GetActiveClientIdAsync(b.Profile, b.Resource, b.Issuer, ct).ConfigureAwait(false) == b.ClientId)
            {
                return candidate;
            }
        }
        return matching.MaxBy(c => c.UpdatedAt);
    }

    private static bool SameResource(string stored, string canonical) =>
        Uri.TryCreate(stored, UriKind.Absolute, out var uri)
        && string.Equals(ResourceUri.Canonicalize(uri).TrimEnd('/'), canonical.TrimEnd('/'), StringComparison.Ordinal);
}
