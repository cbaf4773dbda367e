using System.Security.Cryptography;
using System.Text;

namespace McpAuth.Storage;

/// <summary>
/// Builds canonical <see cref="StoreKey"/> ids. An id is a readable prefix plus a hash of the exact parts, so keys are
/// safe as file names and database keys, and two bindings that differ in any part never collide.
/// </summary>
public static class StoreKeys
{
    public static StoreKey Credential(CredentialBinding binding)
    {
        ArgumentNullException.ThrowIfNull(binding);
        return new(StoreEntryKind.Credential, Id(binding.Profile, binding.Resource, binding.Issuer, binding.ClientId));
    }

    public static StoreKey ActiveClient(string profile, string resource, string issuer) =>
        new(StoreEntryKind.ActiveClient, Id(profile, resource, issuer));

    public static StoreKey Registration(string issuer, string redirectUri) =>
        new(StoreEntryKind.Registration, Id(issuer, redirectUri));

    public static StoreKey Discovery(string resource) => new(StoreEntryKind.Discovery, Id(resource));

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
