using System.Collections.Concurrent;
using McpAuth.Engine;
using McpAuth.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace McpAuth.Extensions.DependencyInjection;

/// <summary>
/// One <see cref="McpAuthClient"/> per profile, for an application that acts for several users (profile
/// <c>"tenant/user"</c>): each profile's options are the named <see cref="McpAuthOptions"/> of that name, and one shared
/// callback endpoint completes any profile's flow, routed by the <c>state</c> it carries. Every engine shares one
/// <see cref="PendingFlowRegistry"/>, which holds the pending flows and their bounds. When the container is disposed
/// (the host stopping), it waits for refreshed credentials the store has not taken yet, so their rotated refresh tokens
/// are not lost with the process.
/// </summary>
public sealed class McpAuthClients : IAsyncDisposable, IDisposable
{
    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<McpAuthOptions> _options;
    private readonly ConcurrentDictionary<string, McpAuthClient> _clients = new(StringComparer.Ordinal);
    private readonly Lazy<PendingFlowRegistry> _pendingFlows;
    private readonly Lazy<McpAuthClient> _default;

    /// <param name="services">The container (vault, HTTP client factory, clock, logs, meters).</param>
    /// <param name="options">The options of each profile.</param>
    public McpAuthClients(IServiceProvider services, IOptionsMonitor<McpAuthOptions> options)
    {
        _services = services ?? throw new ArgumentNullException(nameof(services));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        var time = services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
        _pendingFlows = new(() =>
        {
            var limits = _options.CurrentValue;
            return new PendingFlowRegistry(time, limits.Authorization.PendingFlowLifetime, limits.Authorization.MaxPendingFlowsTotal, limits.Authorization.MaxPendingFlowsPerTenant);
        });
        _default = new(() => McpAuthServiceCollectionExtensions.CreateClient(_services, _options.CurrentValue, PendingFlows));
    }

    /// <summary>
    /// The flows of every profile waiting for their callback, bounded per profile
    /// (<see cref="AuthorizationOptions.MaxPendingFlows"/>), per tenant (the part of the profile before '/',
    /// <see cref="AuthorizationOptions.MaxPendingFlowsPerTenant"/>) and in total (<see cref="AuthorizationOptions.MaxPendingFlowsTotal"/>),
    /// expiring after <see cref="AuthorizationOptions.PendingFlowLifetime"/> (the tenant, total and lifetime limits are
    /// those of the unnamed options).
    /// </summary>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public PendingFlowRegistry PendingFlows => _pendingFlows.Value;

    /// <summary>The engine of the configured profile (<see cref="McpAuthOptions.Profile"/>).</summary>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public McpAuthClient Default => _default.Value;

    /// <summary>The engine whose credentials are stored under <paramref name="profile"/> (created once).</summary>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public McpAuthClient ForProfile(string profile)
    {
        ArgumentException.ThrowIfNullOrEmpty(profile);
        return _clients.GetOrAdd(profile, p => McpAuthServiceCollectionExtensions.CreateClient(_services, _options.Get(p), PendingFlows));
    }

    /// <summary>A handler for the MCP <see cref="HttpClient"/> of <paramref name="profile"/>; set its inner handler.</summary>
    public McpAuthHandler CreateHandler(string profile, Uri? server = null, IAuthorizationInteraction? interaction = null) =>
        new(ForProfile(profile), server, interaction);

    /// <summary>
    /// Starts an authorization code flow for <paramref name="profile"/> at <paramref name="server"/> (see
    /// <see cref="McpAuthClient.BeginAuthorizationAsync"/>); its <c>state</c> is recorded in <see cref="PendingFlows"/>
    /// with the profile that started it.
    /// </summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.TooManyPendingFlows"/> when the profile's, the tenant's or the total bound is reached;
    /// discovery, identity and configuration errors.
    /// </exception>
    public Task<AuthorizationStart> BeginAuthorizationAsync(string profile, Uri server, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(profile);
        return ForProfile(profile).BeginAuthorizationAsync(server, cancellationToken);
    }

    /// <summary>
    /// Completes the flow a callback belongs to, whichever profile started it (RFC 6749 §4.1.2: <c>state</c> routes it).
    /// </summary>
    /// <returns>The profile the flow belonged to, and its new token.</returns>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StateMismatch"/> when no pending flow has this state;
    /// <see cref="McpAuthErrorCode.InvalidResponse"/> when a parameter is repeated; the engine's completion errors
    /// (<see cref="McpAuthErrorCode.FlowExpired"/> among them).
    /// </exception>
    public async Task<(string Profile, AccessToken Token)> CompleteAuthorizationAsync(Uri callbackUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callbackUrl);
        var callback = AuthorizationResponse.Parse(callbackUrl);
        if (!PendingFlows.TryGetProfile(callback.State, out var profile))
        {
            throw new McpAuthException(McpAuthErrorCode.StateMismatch, "callback");
        }
        var token = await ForProfile(profile).CompleteAuthorizationAsync(callbackUrl, cancellationToken).ConfigureAwait(false);
        return (profile, token);
    }

    /// <summary>
    /// As <see cref="DisposeAsync"/>, blocking, for a container disposed synchronously; returns at once when every
    /// refreshed credential is saved.
    /// </summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Waits, up to each engine's <see cref="Engine.Refresh.RefreshOptions.ExitSaveWait"/>, for the refreshed credentials
    /// its store has not taken yet (it was down, read-only or full); logs an error naming how many were not saved.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        IEnumerable<McpAuthClient> created = _default.IsValueCreated ? [_default.Value, .. _clients.Values] : _clients.Values;
        var unsaved = created.Where(c => c.UnsavedCredentials > 0).ToList();
        if (unsaved.Count == 0)
        {
            return;
        }
        var saved = await Task.WhenAll(unsaved.Select(c => c.WaitForUnsavedCredentialsAsync(c.Options.Refresh.ExitSaveWait, CancellationToken.None)))
            .ConfigureAwait(false);
        var lost = unsaved.Where((_, i) => !saved[i]).Sum(c => c.UnsavedCredentials);
        if (lost > 0)
        {
            ShutdownLog.NotSaved(_services.GetService<ILoggerFactory>()?.CreateLogger<McpAuthClients>() ?? NullLogger<McpAuthClients>.Instance, lost);
        }
    }
}

internal static partial class ShutdownLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error,
        Message = "{Count} refreshed credential(s) were not saved before shutdown: the store did not take them in time, and their next refresh needs a new authorization")]
    public static partial void NotSaved(ILogger logger, int count);
}
