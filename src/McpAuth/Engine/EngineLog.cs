using Microsoft.Extensions.Logging;

namespace McpAuth.Engine;

/// <summary>Engine log messages: endpoints (redacted), client ids, outcomes and codes; never tokens, secrets or codes.</summary>
internal static partial class EngineLog
{
    [LoggerMessage(1, LogLevel.Information, "Discovered authorization server {Issuer} for {Resource}")]
    public static partial void Discovered(ILogger logger, string issuer, string resource);

    [LoggerMessage(2, LogLevel.Information, "Using client {ClientId} ({Source}) at {Issuer}")]
    public static partial void ClientResolved(ILogger logger, string clientId, string source, string issuer);

    [LoggerMessage(3, LogLevel.Information, "Obtained a {TokenType} token for {Resource} by {Grant}")]
    public static partial void TokenObtained(ILogger logger, string tokenType, string resource, string grant);

    [LoggerMessage(4, LogLevel.Information, "Stepping up authorization for {Resource} (attempt {Attempt})")]
    public static partial void SteppingUp(ILogger logger, string resource, int attempt);

    [LoggerMessage(5, LogLevel.Warning, "Authorization for {Resource} failed: {Code}")]
    public static partial void AuthorizationFailed(ILogger logger, string resource, McpAuthErrorCode code);

    [LoggerMessage(6, LogLevel.Information, "Logged out of {Resource}: revocation {Outcome} {Code}")]
    public static partial void LoggedOut(ILogger logger, string resource, RevocationOutcome outcome, McpAuthErrorCode? code);

    [LoggerMessage(7, LogLevel.Information, "Imported a credential for {Resource} from {Issuer}")]
    public static partial void Imported(ILogger logger, string resource, string issuer);


    [LoggerMessage(9, LogLevel.Debug, "Reading the stored credential ahead of the first request failed ({ExceptionType} {Code}); that request reads again")]
    public static partial void PrefetchFailed(ILogger logger, string exceptionType, McpAuthErrorCode? code);

}
