using System.Diagnostics.Metrics;
using McpAuth.Diagnostics;
using McpAuth.Engine.Lifecycle;
using McpAuth.Http;
using McpAuth.Storage;
using Microsoft.Extensions.Logging;

namespace McpAuth.Engine;

/// <summary>
/// The collaborators one <see cref="McpAuthClient"/> builds once and shares with every <see cref="ServerSession"/>:
/// the protocol steps, the store, and the credential lifecycle. No per-server state lives here.
/// </summary>
internal sealed class EngineServices
{
    public EngineServices(
        McpAuthOptions options, TokenVault vault, HttpClient oauthHttp, TimeProvider time, ILogger logger, IMeterFactory? meterFactory,
        PendingFlowRegistry? pendingFlows)
    {
        Options = options;
        Vault = vault;
        Time = time;
        Logger = logger;
        var http = new OAuthHttpClient(oauthHttp, options.Http);
        Grants = new GrantExtensions(options);
        Discovery = new Discovery(http, options);
        Identities = new ClientIdentityResolver(http, vault, options, time);
        Telemetry = new McpAuthTelemetry(meterFactory);
        Tokens = new TokenEndpoint(http, time, Grants.ClientAssertions, Telemetry);
        Enterprise = new EnterpriseAuthorization(options, vault, Tokens, time, logger);
        Delegation = new Delegation(options, Tokens, time, Telemetry, logger);
        PendingFlows = pendingFlows ?? PendingFlowRegistry.For(options, time);
        CodeFlow = new AuthorizationCodeFlow(PendingFlows, options, Tokens, time);
        DeviceFlow = new DeviceCodeFlow(Tokens, time);
        Revocation = new TokenRevocation(http, time, Grants.ClientAssertions);
        Lifecycle = new CredentialLifecycle(vault, time, options.Refresh, logger);
        Refresher = new CoordinatedTokenRefresher(Lifecycle.Refresh, Tokens, time, options.Authorization);
        Finder = new CredentialFinder(vault, options);
        Authorizer = new Authorizer(this);
    }

    public McpAuthOptions Options { get; }
    public TokenVault Vault { get; }
    public TimeProvider Time { get; }
    public ILogger Logger { get; }
    public McpAuthTelemetry Telemetry { get; }
    public GrantExtensions Grants { get; }
    public Discovery Discovery { get; }
    public ClientIdentityResolver Identities { get; }
    public TokenEndpoint Tokens { get; }
    public EnterpriseAuthorization Enterprise { get; }
    public Delegation Delegation { get; }
    public PendingFlowRegistry PendingFlows { get; }
    public AuthorizationCodeFlow CodeFlow { get; }
    public DeviceCodeFlow DeviceFlow { get; }
    public TokenRevocation Revocation { get; }
    public CredentialLifecycle Lifecycle { get; }
    public CredentialFinder Finder { get; }
    public Authorizer Authorizer { get; }

    /// <summary>The refresh seam (default: the lifecycle's coordinator); tests replace it.</summary>
    public ITokenRefresher Refresher { get; set; }
}
