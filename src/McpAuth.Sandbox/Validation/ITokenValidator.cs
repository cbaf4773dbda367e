namespace McpAuth.Sandbox;

/// <summary>
/// Tells the MCP server what a bearer token stands for. Implementations only look the token up; the MCP server
/// itself checks audience and scope on the result, the same way for every validator.
/// </summary>
public interface ITokenValidator
{
    /// <summary>The token's details when it is active; null when it is unknown, expired or revoked.</summary>
    /// <exception cref="HttpRequestException">A remote validator could not reach its endpoint.</exception>
    ValueTask<SandboxTokenInfo?> ValidateAsync(string token, CancellationToken cancellationToken);
}

/// <summary>What an active access token grants.</summary>
/// <param name="Subject">The resource owner (<c>sub</c>); for client credentials, the client id.</param>
/// <param name="ClientId">The client the token was issued to.</param>
/// <param name="Scopes">The granted scopes.</param>
/// <param name="Audiences">The resources (RFC 8707) the token is for; empty when it names none.</param>
/// <param name="ExpiresAt">When it expires, if known.</param>
public sealed record SandboxTokenInfo(
    string? Subject,
    string? ClientId,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> Audiences,
    DateTimeOffset? ExpiresAt);

/// <summary>Looks tokens up in a <see cref="SandboxAuthorizationServer"/>'s own table, in process.</summary>
internal sealed class SandboxTokenTableValidator(SandboxAuthorizationServer server) : ITokenValidator
{
    public ValueTask<SandboxTokenInfo?> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var issued = server.Tokens.FindActive(token);
        if (issued is null || issued.Kind != TokenKind.Access)
        {
            return ValueTask.FromResult<SandboxTokenInfo?>(null);
        }
        var grant = issued.Grant;
        return ValueTask.FromResult<SandboxTokenInfo?>(new SandboxTokenInfo(
            grant.Subject, grant.ClientId, issued.Scope.Values.ToArray(), grant.Resource is null ? [] : [grant.Resource], issued.ExpiresAt));
    }
}
