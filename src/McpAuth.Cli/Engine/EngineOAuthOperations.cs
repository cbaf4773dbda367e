using McpAuth.Cli.Callback;
using McpAuth.Cli.Commands.Import;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Coordination;
using McpAuth.Cli.Output;
using McpAuth.Engine;
using McpAuth.Engine.Lifecycle;
using McpAuth.Http;
using McpAuth.Storage;

namespace McpAuth.Cli.Engine;

/// <summary>
/// The OAuth steps, done by the McpAuth engine (<see cref="McpAuthClient"/>): login through the CLI's interaction,
/// refresh, logout (RFC 7009 revocation, then clearing) and import.
/// </summary>
internal sealed class EngineOAuthOperations : IOAuthOperations
{
    /// <summary>The redirect URI assumed for a credential that has no remembered one (imports, other tools).</summary>
    private static readonly Uri DefaultRedirectUri = new("http://127.0.0.1/callback");
    private readonly CliContext _cli;
    private readonly CredentialLifecycle _lifecycle;
    private readonly HttpClient _http = new(OAuthHttpClient.CreateDefaultHandler());

    public EngineOAuthOperations(CliContext cli, CredentialLifecycle lifecycle)
    {
        _cli = cli;
        _lifecycle = lifecycle;
    }

    public async Task LoginAsync(LoginOptions options, InteractiveAuthorization? interaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (interaction is null)
        {
            // --device: no redirect URI is used, but registrations are keyed by it; the default one is reused.
            var device = CreateClient(DefaultRedirectUri, options.Profile, options.ClientId, options.ClientSecret, options.ClientMetadataUrl,
                options.Scope);
            await DeviceLogin.RunAsync(_cli, device, options.Server, cancellationToken).ConfigureAwait(false);
            return;
        }
        var client = CreateClient(interaction.RedirectUri, options.Profile, options.ClientId, options.ClientSecret, options.ClientMetadataUrl,
            options.Scope);
        await client.AuthorizeAsync(options.Server, new CliAuthorizationInteraction(interaction), cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> RefreshAsync(StoredCredential credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        var binding = credential.Binding;
        var server = new Uri(binding.Resource);
        var redirect = new CallbackPortMemory(_cli.Home).RecallRedirectUri(server, binding.Profile) ?? DefaultRedirectUri;
        var preRegistered = await _lifecycle.Vault.GetRegistrationAsync(binding.Issuer, redirect.AbsoluteUri, cancellationToken).ConfigureAwait(false)
            is { Source: "preregistered" } r ? r : null;
        var client = CreateClient(redirect, binding.Profile, preRegistered?.ClientId, preRegistered?.ClientSecret, null);
        var token = await client.GetAccessTokenAsync(server, cancellationToken).ConfigureAwait(false);
        await SaveBeforeExitAsync(client, cancellationToken).ConfigureAwait(false);
        return token.Value;
    }

    /// <summary>How long a short-lived command waits for the store to take a refreshed credential it could not save at once.</summary>
    internal static readonly TimeSpan UnsavedWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The refresh rotated the refresh token, but the store (down, read-only, full disk) has not taken the new one: it
    /// exists only in this process. Wait for the background save (bounded), and say so on stderr; never exit silently
    /// with the only copy.
    /// </summary>
    private async Task SaveBeforeExitAsync(McpAuthClient client, CancellationToken cancellationToken)
    {
        if (client.UnsavedCredentials == 0)
        {
            return;
        }
        await _cli.Err.WriteLineAsync(
            $"mcpauth: the store cannot take the refreshed credential yet; waiting up to {UnsavedWait.TotalSeconds:F0} s to save it")
            .ConfigureAwait(false);
        if (await client.WaitForUnsavedCredentialsAsync(UnsavedWait, cancellationToken).ConfigureAwait(false))
        {
            await _cli.Err.WriteLineAsync("mcpauth: saved").ConfigureAwait(false);
            return;
        }
        await _cli.Err.WriteLineAsync(
            "mcpauth: warning: the refreshed credential was NOT saved; its new refresh token is lost when this command exits, "
            + "and the next refresh will need 'mcpauth login'").ConfigureAwait(false);
    }

    public Task<LogoutAction> LogoutAsync(StoredCredential credential, bool keepRegistration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        var binding = credential.Binding;
        var redirect = new CallbackPortMemory(_cli.Home).RecallRedirectUri(new Uri(binding.Resource), binding.Profile) ?? DefaultRedirectUri;
        var client = CreateClient(redirect, binding.Profile, null, null, null);
        return TokenRevoker.LogoutAsync(client, credential, keepRegistration, cancellationToken);
    }

    public Task ImportAsync(ImportOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return CredentialImporter.ImportAsync(CreateClient(DefaultRedirectUri, options.Profile, null, null, null), options, cancellationToken);
    }

    private McpAuthClient CreateClient(
        Uri redirectUri, string profile, string? clientId, string? clientSecret, Uri? clientMetadataUrl, string? scope = null)
    {
        var options = new McpAuthOptions
        {
            RedirectUri = redirectUri,
            Profile = profile,
            ClientName = "mcpauth CLI",
            Client = clientId is null ? null : new PreRegisteredClient(clientId, clientSecret),
            ClientMetadataDocumentUrl = clientMetadataUrl,
            Scope = scope,
            // mcpauth hands its tokens out as Bearer (`token` prints one for scripts, `proxy` sends one): a DPoP-bound
            // token (RFC 9449) is refused without a proof per request, so the CLI asks for unbound tokens. Applications
            // that send requests through McpAuthHandler keep DPoP (DPoPMode.Auto), which adds the proofs.
            DPoP = DPoPMode.Disabled,
        };
        return new McpAuthClient(options, _lifecycle.Vault, _http, _cli.Time, StderrLog.Create<McpAuthClient>(_cli));
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
