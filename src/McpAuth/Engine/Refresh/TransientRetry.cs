using McpAuth.Storage;
using Microsoft.Extensions.Logging;

namespace McpAuth.Engine.Refresh;

/// <summary>
/// Calls the refresh callback, retrying outages (timeout, connection failure, 5xx, 429 and <c>temporarily_unavailable</c>)
/// with exponential backoff and jitter, honouring <c>Retry-After</c>. When the retries run out it throws
/// <see cref="McpAuthErrorCode.TemporarilyUnavailable"/> ("try again later"), never <see cref="McpAuthErrorCode.LoginRequired"/>.
/// </summary>
internal sealed class TransientRetry(RefreshOptions options, TimeProvider time, ILogger logger)
{
    public async Task<TokenSet> RunAsync(StoredCredential current, RefreshCallback refresh)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await refresh(current, CancellationToken.None).ConfigureAwait(false)
                    ?? throw new McpAuthException(McpAuthErrorCode.InvalidResponse, "refresh returned no tokens");
            }
            catch (McpAuthException e) when (IsTransient(e.Code))
            {
                var delay = Delay(attempt, e.RetryAfter);
                if (attempt >= options.MaxTransientRetries || delay is null)
                {
                    throw new McpAuthException(McpAuthErrorCode.TemporarilyUnavailable, "refresh", e)
                    {
                        StatusCode = e.StatusCode,
                        OAuthError = e.OAuthError,
                        OAuthErrorDescription = e.OAuthErrorDescription,
                        Endpoint = e.Endpoint,
                        RetryAfter = e.RetryAfter,
                    };
                }
                RefreshLog.RetryingTransient(logger, e.Code, current.Binding.Issuer, current.Binding.ClientId, attempt + 1, delay.Value);
                await Task.Delay(delay.Value, time).ConfigureAwait(false);
            }
        }
    }

    internal static bool IsTransient(McpAuthErrorCode code) =>
        code is McpAuthErrorCode.Timeout or McpAuthErrorCode.TransportFailure or McpAuthErrorCode.TemporarilyUnavailable;

    /// <summary>
    /// The delay before retry <paramref name="attempt"/> + 1: the server's Retry-After when it sent one (null, i.e. give
    /// up, when that is longer than <see cref="RefreshOptions.MaxBackoff"/>), else base × 2^attempt with ±50 % jitter.
    /// </summary>
    internal TimeSpan? Delay(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } asked)
        {
            return asked <= options.MaxBackoff ? asked : null;
        }
        var exponential = options.BaseBackoff.Ticks * Math.Pow(2, Math.Min(attempt, 30));
        var jittered = exponential * (0.5 + Random.Shared.NextDouble());
        return TimeSpan.FromTicks((long)Math.Min(jittered, options.MaxBackoff.Ticks));
    }
}
