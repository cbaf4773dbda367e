using System.Collections.Concurrent;
using System.Web;
using McpAuth.Engine;
using Microsoft.Extensions.Options;

namespace McpAuth.Extensions.DependencyInjection;

/// <summary>
/// One <see cref="McpAuthClient"/> per profile, for an application that acts for several users (profile
/// <c>"tenant/user"</c>): each profile's options are the named <see cref="McpAuthOptions"/> of that name, and one shared
/// callback endpoint completes any profile's flow, routed by the <c>state</c> it carries.
/// </summary>
public sealed class McpAuthClients
{
    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<McpAuthOptions> _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, McpAuthClient> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Profile, DateTimeOffset Started)> _flows = new(StringComparer.Ordinal);
    private readonly Lazy<McpAuthClient> _default;

    /// <param name="services">The container (vault, HTTP client factory, clock, logs, meters).</param>
    /// <param name="options">The options of each profile.</param>
    public McpAuthClients(IServiceProvider services, IOptionsMonitor<McpAuthOptions> options)
    {
        _services = services ?? throw new ArgumentNullException(nameof(services));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
        _default = new(() => McpAuthServiceCollectionExtensions.CreateClient(_services, _options.CurrentValue));
    }

    /// <summary>The engine of the configured profile (<see cref="McpAuthOptions.Profile"/>).</summary>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public McpAuthClient Default => _default.Value;

    /// <summary>The engine whose credentials are stored under <paramref name="profile"/> (created once).</summary>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public McpAuthClient ForProfile(string profile)
    {
        ArgumentException.ThrowIfNullOrEmpty(profile);
        return _clients.GetOrAdd(profile, p => McpAuthServiceCollectionExtensions.CreateClient(_services, _options.Get(p)));
    }

    /// <summary>A handler for the MCP <see cref="HttpClient"/> of <paramref name="profile"/>; set its inner handler.</summary>
    public McpAuthHandler CreateHandler(string profile, Uri? server = null, IAuthorizationInteraction? interaction = null) =>
        new(ForProfile(profile), server, interaction);

    /// <summary>
    /// Starts an authorization code flow for <paramref name="profile"/> at <paramref name="server"/> (see
    /// <see cref="McpAuthClient.BeginAuthorizationAsync"/>) and remembers which profile its <c>state</c> belongs to.
    /// </summary>
    /// <exception cref="McpAuthException">Discovery, identity and configuration errors.</exception>
    public async Task<AuthorizationStart> BeginAuthorizationAsync(string profile, Uri server, CancellationToken cancellationToken)
    {
        var start = await ForProfile(profile).BeginAuthorizationAsync(server, cancellationToken).ConfigureAwait(false);
        Prune();
        _flows[start.State] = (profile, _time.GetUtcNow());
        return start;
    }

    /// <summary>
    /// Completes the flow a callback belongs to, whichever profile started it (RFC 6749 §4.1.2: <c>state</c> routes it).
    /// </summary>
    /// <returns>The profile the flow belonged to, and its new token.</returns>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StateMismatch"/> when no pending flow has this state; the engine's completion errors.
    /// </exception>
    public async Task<(string Profile, AccessToken Token)> CompleteAuthorizationAsync(Uri callbackUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callbackUrl);
        var state = HttpUtility.ParseQueryString(callbackUrl.Query)["state"];
        if (state is null || !_flows.TryRemove(state, out var flow))
        {
            throw new McpAuthException(McpAuthErrorCode.StateMismatch, "callback");
        }
        var token = await ForProfile(flow.Profile).CompleteAuthorizationAsync(callbackUrl, cancellationToken).ConfigureAwait(false);
        return (flow.Profile, token);
    }

    private void Prune()
    {
        var cutoff = _time.GetUtcNow() - _options.CurrentValue.PendingFlowLifetime;
        foreach (var (state, flow) in _flows)
        {
            if (flow.Started < cutoff)
            {
                _flows.TryRemove(state, out _);
            }
        }
    }
}
