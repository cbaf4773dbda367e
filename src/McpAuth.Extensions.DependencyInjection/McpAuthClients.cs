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
    private readonly Dictionary<string, (string Profile, DateTimeOffset Started)> _flows = new(StringComparer.Ordinal);
    private readonly Lock _flowsGate = new();
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
    /// Pending flows are bounded per tenant (the part of the profile before '/') and in total, and expire after
    /// <see cref="McpAuthOptions.PendingFlowLifetime"/>.
    /// </summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.TooManyPendingFlows"/> when the tenant's or the total bound is reached; discovery,
    /// identity and configuration errors.
    /// </exception>
    public async Task<AuthorizationStart> BeginAuthorizationAsync(string profile, Uri server, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(profile);
        var reservation = Reserve(profile);
        try
        {
            var start = await ForProfile(profile).BeginAuthorizationAsync(server, cancellationToken).ConfigureAwait(false);
            lock (_flowsGate)
            {
                _flows.Remove(reservation, out var reserved);
                _flows[start.State] = reserved;
            }
            return start;
        }
        catch
        {
            lock (_flowsGate)
            {
                _flows.Remove(reservation);
            }
            throw;
        }
    }

    /// <summary>Takes a slot for one more pending flow of <paramref name="profile"/>, or refuses when a bound is reached.</summary>
    private string Reserve(string profile)
    {
        var options = _options.CurrentValue;
        var tenant = TenantOf(profile);
        var reservation = "reserved:" + Guid.NewGuid().ToString("N");
        lock (_flowsGate)
        {
            Prune(options.PendingFlowLifetime);
            var ofTenant = _flows.Values.Count(f => TenantOf(f.Profile) == tenant);
            if (_flows.Count >= options.MaxPendingFlowsTotal || ofTenant >= options.MaxPendingFlowsPerTenant)
            {
                throw new McpAuthException(McpAuthErrorCode.TooManyPendingFlows, _flows.Count >= options.MaxPendingFlowsTotal ? "total" : "tenant");
            }
            _flows[reservation] = (profile, _time.GetUtcNow());
        }
        return reservation;
    }

    /// <summary>The tenant of a "tenant/user" profile; a profile without '/' is its own tenant.</summary>
    internal static string TenantOf(string profile)
    {
        var slash = profile.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? profile : profile[..slash];
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
        (string Profile, DateTimeOffset Started) flow;
        lock (_flowsGate)
        {
            if (state is null || state.StartsWith("reserved:", StringComparison.Ordinal) || !_flows.Remove(state, out flow))
            {
                throw new McpAuthException(McpAuthErrorCode.StateMismatch, "callback");
            }
        }
        var token = await ForProfile(flow.Profile).CompleteAuthorizationAsync(callbackUrl, cancellationToken).ConfigureAwait(false);
        return (flow.Profile, token);
    }

    /// <summary>Drops expired pending flows; the caller holds <see cref="_flowsGate"/>.</summary>
    private void Prune(TimeSpan lifetime)
    {
        var cutoff = _time.GetUtcNow() - lifetime;
        foreach (var (state, flow) in _flows.ToList())
        {
            if (flow.Started < cutoff)
            {
                _flows.Remove(state);
            }
        }
    }
}
