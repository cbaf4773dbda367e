using System.Collections.Concurrent;
using McpAuth.Storage;

namespace McpAuth.Engine.Refresh;

/// <summary>
/// The in-memory fast path: a binding's credential with the instant (UTC ticks) at which it stops being usable without
/// a refresh. A lookup is one dictionary probe (the binding's hash is cached) and one integer comparison; nothing is
/// allocated.
/// </summary>
internal sealed class AccessTokenCache
{
    private readonly ConcurrentDictionary<CredentialBinding, Entry> _entries = new();

    public bool TryGet(CredentialBinding binding, long nowUtcTicks, out StoredCredential credential)
    {
        if (_entries.TryGetValue(binding, out var entry) && nowUtcTicks < entry.RefreshAtUtcTicks)
        {
            credential = entry.Credential;
            return true;
        }
        credential = null!;
        return false;
    }

    /// <summary>The cached credential of <paramref name="binding"/> whether or not it is due for refresh.</summary>
    public bool TryGetAny(CredentialBinding binding, out StoredCredential credential)
    {
        var found = _entries.TryGetValue(binding, out var entry);
        credential = entry?.Credential!;
        return found;
    }

    public void Set(StoredCredential credential, TimeSpan skew)
    {
        var expiresAt = credential.Tokens.ExpiresAt;
        var refreshAt = expiresAt is null ? long.MaxValue : expiresAt.Value.UtcTicks - skew.Ticks;
        _entries[credential.Binding] = new Entry(credential, refreshAt);
    }

    public void Remove(CredentialBinding binding) => _entries.TryRemove(binding, out _);

    private sealed class Entry(StoredCredential credential, long refreshAtUtcTicks)
    {
        public readonly StoredCredential Credential = credential;
        public readonly long RefreshAtUtcTicks = refreshAtUtcTicks;
    }
}
