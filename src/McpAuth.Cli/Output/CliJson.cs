using System.Text.Json;
using System.Text.Json.Serialization;
using McpAuth.Cli.Engine;

namespace McpAuth.Cli.Output;

/// <summary>The JSON form of one credential (--json). Tokens are masked unless asked for.</summary>
public sealed record CredentialJson(
    string Server, string Profile, string Issuer, string ClientId, string? Scope, string State, DateTimeOffset? ExpiresAt,
    long? ExpiresInSeconds, string AccessToken, bool HasRefreshToken, bool NeedsAttention, StorageJson Storage,
    Commands.Login.LoginSettings? LoginSettings = null, [property: JsonPropertyName("dpop_bound")] bool DPoPBound = false)
{
    public static CredentialJson From(CredentialView view, StorageInfo storage, DateTimeOffset now, bool showToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(storage);
        return new(view.Server, view.Profile, view.Issuer, view.ClientId, view.Scope, view.State.ToString(), view.ExpiresAt,
            view.ExpiresAt is { } e ? (long)(e - now).TotalSeconds : null,
            showToken ? view.AccessToken : TokenMask.Mask(view.AccessToken), view.RefreshToken is not null, view.NeedsAttention(now),
            new StorageJson(storage.Backend, storage.KeyProtection, storage.KeyInSecretStore, storage.Location),
            view.Settings.IsEmpty ? null : view.Settings, view.DPoPBound);
    }
}

/// <summary>The store of a credential; <see cref="Location"/> only for a shared store (PostgreSQL), never with a password.</summary>
public sealed record StorageJson(string Backend, string KeyProtection, bool KeyInSecretStore, string? Location = null);

public sealed record StatusJson(IReadOnlyList<CredentialJson> Credentials, int UnreadableEntries, bool NeedsAttention);

public sealed record LoginJson(string Status, CredentialJson Credential);

public sealed record LogoutJson(IReadOnlyList<LogoutAction> Actions);

/// <summary>Source-generated JSON for --json output: snake_case, indented, stable member names.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(StatusJson))]
[JsonSerializable(typeof(LoginJson))]
[JsonSerializable(typeof(LogoutJson))]
[JsonSerializable(typeof(CredentialJson))]
public sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>Writes <paramref name="value"/> as JSON and a newline on stdout.</summary>
    public static Task WriteAsync<T>(CliContext cli, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        ArgumentNullException.ThrowIfNull(cli);
        return cli.Out.WriteLineAsync(JsonSerializer.Serialize(value, type));
    }
}
