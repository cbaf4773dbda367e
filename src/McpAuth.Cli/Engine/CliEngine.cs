using McpAuth.Cli.Callback;
using McpAuth.Cli.Commands;
using McpAuth.Cli.Commands.Import;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Commands.Logout;
using McpAuth.Cli.Commands.Token;
using McpAuth.Cli.Coordination;
using LogoutOptions = McpAuth.Cli.Commands.Logout.LogoutOptions;
using McpAuth.Cli.Output;
using McpAuth.Engine;
using McpAuth.Http;
using McpAuth.Storage;
using EngineLogoutOptions = McpAuth.Engine.LogoutOptions;

namespace McpAuth.Cli.Engine;

/// <summary>
/// The CLI's verbs on the library's public engine, like any other host: one <see cref="McpAuthClient"/> per profile
/// (and, for a login, per redirect URI) over the store the environment chooses (<see cref="CliStore"/>). Finding,
/// refreshing, saving and releasing credentials are the engine's; this class only turns its results into the CLI's views.
/// </summary>
internal sealed class CliEngine : ICliEngine
{
    /// <summary>
    /// The redirect URI of an engine that does not log in through the loopback listener (token, logout, import, the
    /// device grant): a registration is found by its client id, so any fixed value serves.
    /// </summary>
    private static readonly Uri DefaultRedirectUri = new("http://127.0.0.1/callback");
    private readonly CliContext _cli;
    private readonly CliStore _store;
    private readonly TokenVault _vault;
    private readonly HttpClient _http;

    public CliEngine(CliContext cli, CliStore store)
    {
        _cli = cli;
        _http = new HttpClient(CliHttp.CreateHandler(cli.Environment, cli.Err));
        _store = store;
        _vault = new TokenVault(store.Store);
    }

    public StorageInfo Storage => _store.Describe();

    public async Task<CredentialView> LoginAsync(LoginOptions options, InteractiveAuthorization? interaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = SettingsFor(_cli, options);
        var client = ForLogin(options, settings, interaction?.RedirectUri ?? DefaultRedirectUri, interaction?.PendingFlows);
        if (interaction is null)
        {
            await DeviceLogin.RunAsync(_cli, client, options.Server, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await client.AuthorizeAsync(options.Server, new CliAuthorizationInteraction(interaction), cancellationToken).ConfigureAwait(false);
        }
        RememberLogin(_cli, options, settings);
        return await StoredViewAsync(client, options.Server, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> GetAccessTokenAsync(string server, string profile, CancellationToken cancellationToken)
    {
        var url = CommonOptions.ParseServerUrl(server);
        var client = Create(profile, settings: Remembered(url, profile));
        var token = await client.GetAccessTokenAsync(url, cancellationToken).ConfigureAwait(false);
        await SaveBeforeExitAsync(client, cancellationToken).ConfigureAwait(false);
        return token.IsDPoP ? throw TokenVerbCommand.DPoPRequired() : token.Value;
    }

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
        var wait = client.Options.Refresh.ExitSaveWait;
        await _cli.Err.WriteLineAsync(
            $"mcpauth: the store cannot take the refreshed credential yet; waiting up to {wait.TotalSeconds:F0} s to save it")
            .ConfigureAwait(false);
        if (await client.WaitForUnsavedCredentialsAsync(wait, cancellationToken).ConfigureAwait(false))
        {
            await _cli.Err.WriteLineAsync("mcpauth: saved").ConfigureAwait(false);
            return;
        }
        await _cli.Err.WriteLineAsync(
            "mcpauth: warning: the refreshed credential was NOT saved; its new refresh token is lost when this command exits, "
            + "and the next refresh will need 'mcpauth login'").ConfigureAwait(false);
    }

    public async Task<CredentialView?> FindUsableAsync(Uri server, string profile, CancellationToken cancellationToken)
    {
        var client = Create(profile, settings: Remembered(server, profile));
        if (await client.FindCredentialAsync(server, cancellationToken).ConfigureAwait(false) is not { } stored)
        {
            return null;
        }
        var view = ViewOf(client, stored);
        return view.NeedsAttention(_cli.Time.GetUtcNow()) ? null : view;
    }

    public async Task<(IReadOnlyList<CredentialView> Credentials, int Unreadable)> ListAsync(CancellationToken cancellationToken)
    {
        var client = Create(CommonOptions.DefaultProfile);
        var (credentials, unreadable) = await client.ListCredentialsAsync(cancellationToken).ConfigureAwait(false);
        return (credentials.Select(c => ViewOf(client, c)).ToList(), unreadable.Count);
    }

    public async Task<IReadOnlyList<LogoutAction>> LogoutAsync(LogoutOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var release = new EngineLogoutOptions { RemoveRegistration = !options.KeepRegistration, AllProfiles = options.All };
        if (options.Server is null)
        {
            var all = await Create(options.Profile).LogoutAllAsync(release, cancellationToken).ConfigureAwait(false);
            return all.Select(r => TokenRevoker.ToAction(r)).ToList();
        }
        var actions = new List<LogoutAction>();
        foreach (var profile in await ProfilesAsync(options, cancellationToken).ConfigureAwait(false))
        {
            var client = Create(profile, settings: Remembered(options.Server, profile));
            // Every credential of the profile for the server: the engine finds the active one first, then the others.
            while (await client.LogoutAsync(options.Server, release, cancellationToken).ConfigureAwait(false) is { } result)
            {
                actions.Add(TokenRevoker.ToAction(result));
                if (!result.Cleared)
                {
                    break;
                }
            }
        }
        return actions;
    }

    public async Task<CredentialView> ImportAsync(ImportOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var client = Create(options.Profile);
        await client.ImportAsync(options.Server, new ImportedTokens(options.AccessToken, options.ClientId)
        {
            RefreshToken = options.RefreshToken,
            ExpiresAt = options.ExpiresAt,
            ClientSecret = options.ClientSecret,
            TokenEndpoint = options.TokenEndpoint,
            Scope = options.Scope,
            Profile = options.Profile,
        }, cancellationToken).ConfigureAwait(false);
        return await StoredViewAsync(client, options.Server, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The profiles a logout of one server covers: its own, or with --all every profile with a credential.</summary>
    private async Task<IReadOnlyList<string>> ProfilesAsync(LogoutOptions options, CancellationToken cancellationToken)
    {
        if (!options.All)
        {
            return [options.Profile];
        }
        var (credentials, _) = await Create(options.Profile).ListCredentialsAsync(cancellationToken).ConfigureAwait(false);
        return credentials.Select(c => c.Binding.Profile).Distinct(StringComparer.Ordinal).ToList();
    }

    private async Task<CredentialView> StoredViewAsync(McpAuthClient client, Uri server, CancellationToken cancellationToken)
    {
        var stored = await client.FindCredentialAsync(server, cancellationToken).ConfigureAwait(false)
            ?? throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, "the credential was not found after saving it");
        return ViewOf(client, stored);
    }

    private CredentialView ViewOf(McpAuthClient client, StoredCredential credential)
    {
        var b = credential.Binding;
        return new CredentialView
        {
            Server = b.Resource, Profile = b.Profile, Issuer = b.Issuer, ClientId = b.ClientId,
            Scope = credential.Tokens.Scope, State = client.StateOf(credential), ExpiresAt = credential.Tokens.ExpiresAt,
            AccessToken = credential.Tokens.AccessToken, RefreshToken = credential.Tokens.RefreshToken,
            DPoPBound = credential.DPoPPrivateJwk is not null,
            Settings = Uri.TryCreate(b.Resource, UriKind.Absolute, out var server)
                ? Remembered(server, b.Profile) with { CallbackPort = new CallbackPortMemory(_cli.Home).Recall(server, b.Profile) }
                : LoginSettings.Empty,
        };
    }

    /// <summary>The settings the last login for (server, profile) needed, applied to every engine for that server.</summary>
    private LoginSettings Remembered(Uri server, string profile) => new LoginSettingsMemory(_cli.Home).Recall(server, profile);

    /// <summary>
    /// The engine a login for <paramref name="options"/> runs on, for `mcpauth login` and for the verbs that may log in
    /// (the proxy): its flags over what the last login for the server remembered, and what only a login has (secrets,
    /// a forced registration).
    /// </summary>
    internal McpAuthClient ForLogin(LoginOptions options, Uri redirectUri, PendingFlowRegistry? pendingFlows) =>
        ForLogin(options, SettingsFor(_cli, options), redirectUri, pendingFlows);

    private McpAuthClient ForLogin(LoginOptions options, LoginSettings settings, Uri redirectUri, PendingFlowRegistry? pendingFlows) =>
        Create(options.Profile, redirectUri, settings, options.ClientMetadataUrl, options.Scope, pendingFlows,
            new LoginExtras(options.ClientSecret, options.ClientKey, options.RegistrationToken, options.NewRegistration));

    private McpAuthClient Create(
        string profile, Uri? redirectUri = null, LoginSettings? settings = null, Uri? clientMetadataUrl = null, string? scope = null,
        PendingFlowRegistry? pendingFlows = null, LoginExtras? login = null) =>
        new(Options(profile, redirectUri ?? DefaultRedirectUri, settings ?? LoginSettings.Empty, clientMetadataUrl, scope, login, _cli.Environment),
            _vault, _http, _cli.Time, StderrLog.Create<McpAuthClient>(_cli), pendingFlows: pendingFlows);

    /// <summary>
    /// The one place the CLI's engine options are made (the verbs here, and through <see cref="ForLogin(LoginOptions, Uri, PendingFlowRegistry?)"/> the proxy's engine).
    /// <paramref name="settings"/> (given or remembered) set the authorization options and the client;
    /// <paramref name="login"/> holds what only a login has (secrets, the forced registration).
    /// </summary>
    internal static McpAuthOptions Options(
        string profile, Uri redirectUri, LoginSettings settings, Uri? clientMetadataUrl, string? scope, LoginExtras? login,
        Func<string, string?>? environment = null)
    {
        var key = login?.ClientKey ?? RememberedKey(settings, environment ?? Environment.GetEnvironmentVariable);
        var options = new McpAuthOptions
        {
            Profile = profile,
            Client =
            {
                RedirectUri = redirectUri,
                Name = "mcpauth CLI",
                PreRegistered = ClientOf(settings, login?.ClientSecret, key),
                Key = key,
                MetadataDocumentUrl = clientMetadataUrl,
                ForceNewRegistration = login?.NewRegistration ?? false,
                RegistrationAccessToken = login?.RegistrationToken is { } initial ? _ => ValueTask.FromResult(initial) : null,
            },
            Authorization = { Scope = scope },
            // `token` and `headers` hand tokens out as Bearer, and a DPoP-bound token (RFC 9449) is refused without a
            // proof per request: bound tokens only for a resource that requires them, which the proxy's McpAuthHandler
            // adds proofs for and `token`/`headers` refuse (TokenVerbCommand.DPoPRequired).
            Grant = { DPoP = DPoPMode.WhenRequired },
        };
        settings.ApplyTo(options.Authorization);
        return options;
    }

    /// <summary>
    /// The private_key_jwt key a login remembered the source of: its file (refused unless only the owner can read it),
    /// or its environment variable, read again now (a later run without the variable sends no key, and the server says
    /// why); null when none.
    /// </summary>
    private static ClientKeyOptions? RememberedKey(LoginSettings settings, Func<string, string?> environment) =>
        settings.ClientKeyFile is { } file ? ClientKeySource.FromFile(file, settings.ClientKeyAlgorithm)
        : settings.ClientKeyEnv is { } variable && environment(variable) is { Length: > 0 } pem
            ? ClientKeySource.FromPem(pem, settings.ClientKeyAlgorithm, "--client-key-env")
            : null;

    /// <summary>
    /// Keeps the settings a login that succeeded needed, for every later engine for (server, profile): the one place a
    /// login is remembered, whether `mcpauth login` or the proxy's login on a server's 401 ran it.
    /// </summary>
    internal static void RememberLogin(CliContext cli, LoginOptions options, LoginSettings settings)
    {
        if (!settings.IsEmpty)
        {
            new LoginSettingsMemory(cli.Home).Remember(options.Server, options.Profile, settings);
        }
    }

    /// <summary>A login's settings: what it was given over what the last login for (server, profile) remembered.</summary>
    internal static LoginSettings SettingsFor(CliContext cli, LoginOptions options)
    {
        var given = options.ClientId is not null && options.Settings.ClientId is null
            ? options.Settings with { ClientId = options.ClientId, HasClientSecret = options.ClientSecret is not null }
            : options.Settings;
        return new LoginSettingsMemory(cli.Home).Recall(options.Server, options.Profile).Merge(given);
    }

    /// <summary>
    /// The pre-registered client the settings name. A remembered client whose secret was not given again is left out:
    /// the engine then finds its registration, with the secret kept encrypted in the store, by client id.
    /// </summary>
    private static PreRegisteredClient? ClientOf(LoginSettings settings, string? secret, ClientKeyOptions? key) =>
        settings.ClientId is not { } id || (secret is null && settings.HasClientSecret == true)
            || (key is null && settings.TokenAuthMethod == Protocol.ClientAuthentication.PrivateKeyJwt)
            ? null
            : new PreRegisteredClient(id, secret, settings.TokenAuthMethod);

    /// <summary>What only a login passes to the engine: secrets given on its command line and the forced registration.</summary>
    internal sealed record LoginExtras(string? ClientSecret, ClientKeyOptions? ClientKey, string? RegistrationToken, bool NewRegistration)
    {
        public override string ToString() => "LoginExtras { *** }";
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _store.DisposeAsync().ConfigureAwait(false);
    }
}
