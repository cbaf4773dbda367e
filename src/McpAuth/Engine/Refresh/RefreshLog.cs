using Microsoft.Extensions.Logging;

namespace McpAuth.Engine.Refresh;

/// <summary>Refresh log events: issuer, client id, outcomes and reason codes only; never a token.</summary>
internal static partial class RefreshLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Refreshing the credential for client {ClientId} at {Issuer}")]
    public static partial void Refreshing(ILogger logger, string issuer, string clientId);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Refreshed the credential for client {ClientId} at {Issuer} (generation {Generation})")]
    public static partial void Refreshed(ILogger logger, string issuer, string clientId, long generation);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Using the credential another process refreshed for client {ClientId} at {Issuer}")]
    public static partial void RefreshedElsewhere(ILogger logger, string issuer, string clientId);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Refresh failed transiently ({Code}) for client {ClientId} at {Issuer}; retry {Attempt} in {Delay}")]
    public static partial void RetryingTransient(ILogger logger, McpAuthErrorCode code, string issuer, string clientId, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Refresh token rejected (invalid_grant) for client {ClientId} at {Issuer}: login required")]
    public static partial void NeedsReauthorization(ILogger logger, string issuer, string clientId);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Refresh failed ({Code}) for client {ClientId} at {Issuer}; the stored credential is unchanged")]
    public static partial void Failed(ILogger logger, McpAuthErrorCode code, string issuer, string clientId);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Saving the refreshed credential of client {ClientId} at {Issuer} failed ({Code}); retry {Attempt} in {Delay} while holding the refresh lock")]
    public static partial void RetryingSave(ILogger logger, McpAuthErrorCode code, string issuer, string clientId, int attempt, TimeSpan delay);
}
