using McpAuth.Cli.Callback;
using McpAuth.Cli.Commands.Import;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Commands.Logout;
using McpAuth.Cli.Engine;
using McpAuth.Cli.Tests.Callback;
using McpAuth.Protocol;
using McpAuth.Storage;

namespace McpAuth.Cli.Tests;

/// <summary>An in-memory engine for run-step tests. Login walks the real interaction with a fixed state.</summary>
internal sealed class FakeEngine : ICliEngine
{
    public const string LoginState = "fake-state";

    public List<CredentialView> Credentials { get; } = [];
    public int Unreadable { get; set; }
    public StorageInfo Storage { get; set; } = new("file", "key-file", false);
    public AuthorizationCallback? LastCallback { get; private set; }
    public McpAuthException? LoginFailure { get; set; }
    public int Logins { get; private set; }

    public static CredentialView View(string server, string profile = "default", string token = "access-token-0123456789",
        DateTimeOffset? expiresAt = null, string? refresh = "refresh", CredentialState state = CredentialState.Valid) => new()
    {
        Server = server, Profile = profile, Issuer = "https://as.example", ClientId = "client-1", Scope = "mcp:read",
        State = state, ExpiresAt = expiresAt, AccessToken = token, RefreshToken = refresh,
    };

    public async Task<CredentialView> LoginAsync(LoginOptions options, InteractiveAuthorization? interaction, CancellationToken cancellationToken)
    {
        Logins++;
        ArgumentNullException.ThrowIfNull(interaction);
        var url = new Uri($"https://as.example/authorize?client_id=client-1&redirect_uri={Uri.EscapeDataString(interaction.RedirectUri.AbsoluteUri)}&state={LoginState}");
        var flow = TestFlow.Record(interaction.PendingFlows, LoginState); // as the engine records the flows it starts
        LastCallback = AuthorizationResponse.Parse(await interaction.WaitForRedirectAsync(url, cancellationToken));
        if (LoginFailure is not null)
        {
            flow.Fail(LoginFailure);
            throw LoginFailure;
        }
        _ = flow.FinishWithAsync(Task.FromResult(0));
        var view = View(options.Server.AbsoluteUri, options.Profile, expiresAt: DateTimeOffset.UtcNow.AddHours(1));
        Credentials.Add(view);
        return view;
    }

    public Task<string> GetAccessTokenAsync(string server, string profile, CancellationToken cancellationToken) =>
        Credentials.FirstOrDefault(c => c.Server == new Uri(server).AbsoluteUri && c.Profile == profile) is { } c
            ? Task.FromResult(c.AccessToken)
            : throw new McpAuthException(McpAuthErrorCode.LoginRequired, server);

    public Task<CredentialView?> FindUsableAsync(Uri server, string profile, CancellationToken cancellationToken) =>
        Task.FromResult(Credentials.FirstOrDefault(c => c.Server == server.AbsoluteUri && c.Profile == profile));

    public Task<(IReadOnlyList<CredentialView> Credentials, int Unreadable)> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<(IReadOnlyList<CredentialView>, int)>((Credentials, Unreadable));

    public Task<IReadOnlyList<LogoutAction>> LogoutAsync(LogoutOptions options, CancellationToken cancellationToken)
    {
        var matched = Credentials.Where(c => options.All && options.Server is null
            || (c.Server == options.Server?.AbsoluteUri && (options.All || c.Profile == options.Profile))).ToList();
        Credentials.RemoveAll(matched.Contains);
        return Task.FromResult<IReadOnlyList<LogoutAction>>(
            matched.Select(c => new LogoutAction(c.Server, c.Profile, true, null, true, !options.KeepRegistration)).ToList());
    }

    public Task<CredentialView> ImportAsync(ImportOptions options, CancellationToken cancellationToken)
    {
        var view = View(options.Server.AbsoluteUri, options.Profile, options.AccessToken, options.ExpiresAt, options.RefreshToken) with { ClientId = options.ClientId };
        Credentials.Add(view);
        return Task.FromResult(view);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
