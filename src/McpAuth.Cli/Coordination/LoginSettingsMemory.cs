using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using McpAuth.Cli.Commands.Login;
using McpAuth.Storage;

namespace McpAuth.Cli.Coordination;

/// <summary>
/// Remembers the provider settings a login for (server, profile) needed (<see cref="LoginSettings"/>: client id,
/// authentication method, resource choice, extra parameters, audience, PKCE opt-in, trusted issuer, key file path),
/// under $MCPAUTH_HOME/logins, files 0600 in a 0700 directory, beside <see cref="CallbackPortMemory"/>'s port. Nothing
/// secret is written here: the client secret stays encrypted with the registration in the store.
/// </summary>
public sealed class LoginSettingsMemory(string home)
{
    /// <summary>The settings remembered for (server, profile); <see cref="LoginSettings.Empty"/> when none or unreadable.</summary>
    public LoginSettings Recall(Uri server, string profile)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(PathFor(server, profile)), LoginSettingsJsonContext.Default.LoginSettings)
                ?? LoginSettings.Empty;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return LoginSettings.Empty;
        }
    }

    /// <summary>Replaces the settings remembered for (server, profile).</summary>
    public void Remember(Uri server, string profile, LoginSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var path = PathFor(server, profile);
        McpAuthHome.EnsurePrivateDirectory(home);
        McpAuthHome.EnsurePrivateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        using (var file = OpenPrivate(temporary))
        {
            JsonSerializer.Serialize(file, settings with { CallbackPort = null }, LoginSettingsJsonContext.Default.LoginSettings);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Forgets the settings of (server, profile) (logout without --keep-registration).</summary>
    public void Forget(Uri server, string profile)
    {
        try
        {
            File.Delete(PathFor(server, profile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: stale settings are replaced by the next login's.
        }
    }

    private static FileStream OpenPrivate(string path) =>
        OperatingSystem.IsWindows()
            ? new FileStream(path, FileMode.Create, FileAccess.Write)
            : new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });

    private string PathFor(Uri server, string profile)
    {
        ArgumentNullException.ThrowIfNull(server);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{McpAuth.Protocol.ResourceUri.Canonicalize(server).TrimEnd('/')}\n{profile}"));
        return Path.Combine(home, "logins", Convert.ToHexStringLower(hash.AsSpan(0, 12)) + ".json");
    }
}

/// <summary>The remembered settings' encoding (source-generated: the CLI is NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LoginSettings))]
internal sealed partial class LoginSettingsJsonContext : JsonSerializerContext;
