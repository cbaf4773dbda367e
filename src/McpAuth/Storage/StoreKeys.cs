using System.Security.Cryptography;
using System.Text;

namespace McpAuth.Storage;

/// <summary>
/// Builds canonical <see cref="StoreKey"/> ids. An id is a readable prefix plus a hash of the exact parts, so keys are
/// safe as file names and database keys, and two bindings that differ in any part never collide.
/// </summary>
public static class StoreKeys
{
    /// <summary>The key of the credential of <paramref name="binding"/>.</summary>
    public static StoreKey Credential(CredentialBinding binding)
    {
        ArgumentNullException.ThrowIfNull(binding);
        return new(StoreEntryKind.Credential, Id(binding.Profile, binding.Resource, binding.Issuer, binding.ClientId));
    }

    /// <summary>The key of the active client id for a profile, resource and issuer.</summary>
    public static StoreKey ActiveClient(string profile, string resource, string issuer) =>
        new(StoreEntryKind.ActiveClient, Id(profile, resource, issuer));

    /// <summary>The key of the client registration at <paramref name="issuer"/> for <paramref name="redirectUri"/>.</summary>
    public static StoreKey Registration(string issuer, string redirectUri) =>
        new(StoreEntryKind.Registration, Id(issuer, redirectUri));

    /// <summary>The key of the discovery record of <paramref name="resource"/>.</summary>
    public static StoreKey Discovery(string resource) => new(StoreEntryKind.Discovery, Id(resource));

    /// <summary>The key of the cached IdP ID token of a profile at <paramref name="idpIssuer"/>.</summary>
    public static StoreKey IdentityToken(string profile, string idpIssuer) =>
        new(StoreEntryKind.IdentityToken, Id(profile, idpIssuer));

    /// <summary>The refresh lock of one credential.</summary>
    public static StoreKey RefreshLock(CredentialBinding binding) => Credential(binding);

    private static string Id(params string[] parts)
    {
        var joined = string.Join('\n', parts.Select(p => p ?? throw new ArgumentNullException(nameof(parts))));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(joined));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }
}
