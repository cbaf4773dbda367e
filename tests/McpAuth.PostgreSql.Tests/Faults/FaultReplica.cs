using System.Collections.Concurrent;
using System.Text.Json;
using McpAuth.Engine.Refresh;
using McpAuth.Http;
using McpAuth.Protocol;
using McpAuth.Storage;

namespace McpAuth.PostgreSql.Tests.Faults;

/// <summary>What a fault replica reports when told to stop.</summary>
public sealed record FaultReplicaReport(int Resolved, int RefreshRequests, Dictionary<string, int> Errors, int UnsavedAtExit);

/// <summary>
/// One gateway replica under faults (<c>dotnet exec McpAuth.PostgreSql.Tests.dll fault-replica</c>): callers resolve the
/// bearers of random credentials through the <see cref="RefreshCoordinator"/> over the PostgreSQL store, until "stop" on
/// stdin. It prints <c>state &lt;refreshing&gt;</c> whenever the number of credentials it is refreshing (request sent, or
/// rotated and not yet saved) changes, so the test knows whether a SIGKILL lands mid-refresh, and at the end
/// <c>report &lt;json&gt;</c> after waiting (bounded) for unsaved credentials.
/// </summary>
public sealed class FaultReplica(ITokenStore store, OAuthHttpClient http, IReadOnlyList<CredentialBinding> bindings, RefreshOptions options)
{
    private readonly RefreshCoordinator _coordinator = new(new TokenVault(store), TimeProvider.System, options);
    private readonly ConcurrentDictionary<CredentialBinding, byte> _sent = new();
    private readonly ConcurrentDictionary<string, int> _errors = new();
    private int _resolved;
    private int _requests;

    public async Task<FaultReplicaReport> RunAsync(int callers, Task stop)
    {
        using var done = new CancellationTokenSource();
        var state = ReportStateAsync(done.Token);
        var workers = Enumerable.Range(0, callers).Select(_ => CallAsync(stop)).ToList();
        await Task.WhenAll(workers);
        await _coordinator.WaitForUnsavedAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        await done.CancelAsync();
        await state.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return new FaultReplicaReport(_resolved, _requests, new Dictionary<string, int>(_errors), _coordinator.UnsavedCount);
    }

    public static string Serialize(FaultReplicaReport report) => JsonSerializer.Serialize(report);

    public static FaultReplicaReport Deserialize(string json) => JsonSerializer.Deserialize<FaultReplicaReport>(json)!;

    private async Task CallAsync(Task stop)
    {
        while (!stop.IsCompleted)
        {
            var binding = bindings[Random.Shared.Next(bindings.Count)];
            try
            {
                await _coordinator.GetValidAsync(binding, RefreshAsync, CancellationToken.None); // its cache answers first
                Interlocked.Increment(ref _resolved);
            }
            catch (McpAuthException e)
            {
                _errors.AddOrUpdate(e.Code.ToString(), 1, (_, n) => n + 1);
            }
#pragma warning disable CA1031 // Counted and reported: the test fails on any of these.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _errors.AddOrUpdate("Unexpected:" + e.GetType().Name, 1, (_, n) => n + 1);
            }
            await Task.Delay(Random.Shared.Next(5, 25));
        }
    }

    /// <summary>Prints the number of credentials being refreshed (sent and not finished, or unsaved) when it changes.</summary>
    private async Task ReportStateAsync(CancellationToken cancellationToken)
    {
        var last = -1;
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var binding in _sent.Keys)
            {
                if (!_coordinator.IsRefreshing(binding))
                {
                    _sent.TryRemove(binding, out _);
                }
            }
            var now = _sent.Count + _coordinator.UnsavedCount;
            if (now != last)
            {
                Console.WriteLine($"state {now}");
                last = now;
            }
            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>The refresh_token grant (RFC 6749 §6) of a public client, as the gateway tests send it.</summary>
    private async Task<TokenSet> RefreshAsync(StoredCredential credential, CancellationToken cancellationToken)
    {
        _sent[credential.Binding] = 0;
        Interlocked.Increment(ref _requests);
        var parameters = TokenEndpointMessages.RefreshToken(credential.Tokens.RefreshToken!, resource: null);
        parameters.Add(new("client_id", credential.Binding.ClientId));
        using var request = new HttpRequestMessage(HttpMethod.Post, credential.TokenEndpoint) { Content = new FormUrlEncodedContent(parameters) };
        var response = TokenEndpointMessages.Read(await http.SendAsync(request, cancellationToken));
        return response.ToTokenSet(DateTimeOffset.UtcNow);
    }

    /// <summary>Refreshes one credential now, whatever its expiry, through a coordinator of its own (for the final check).</summary>
    public static async Task<bool> CanRefreshAsync(ITokenStore store, OAuthHttpClient http, CredentialBinding binding, RefreshOptions options)
    {
        var vault = new TokenVault(store);
        var coordinator = new RefreshCoordinator(vault, TimeProvider.System, options);
        var stored = await vault.GetCredentialAsync(binding, CancellationToken.None);
        if (stored is null)
        {
            return false;
        }
        var replica = new FaultReplica(store, http, [binding], options);
        try
        {
            var refreshed = await coordinator.RefreshAfterRejectionAsync(binding, stored.Tokens.AccessToken, replica.RefreshAsync, CancellationToken.None);
            return refreshed.Tokens.AccessToken != stored.Tokens.AccessToken;
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.LoginRequired)
        {
            return false;
        }
    }
}
