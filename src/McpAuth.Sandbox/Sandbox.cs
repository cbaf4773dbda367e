namespace McpAuth.Sandbox;

/// <summary>
/// A sandbox authorization server and an MCP server that trusts it, both on 127.0.0.1 with OS-chosen ports: what
/// <c>mcpauth-demo</c> (scripts/demo), integration tests and benchmarks run against. No network, keychain or database.
/// </summary>
/// <example>
/// <code>
/// await using var sandbox = await Sandbox.StartAsync(new SandboxOptions(), ct);
/// // point a client at sandbox.McpServerUrl; count requests with sandbox.AuthorizationServer.Stats
/// </code>
/// </example>
public sealed class Sandbox : IAsyncDisposable
{
    private Sandbox(SandboxAuthorizationServer authorizationServer, SandboxMcpServer mcpServer)
    {
        AuthorizationServer = authorizationServer;
        McpServer = mcpServer;
    }

    public SandboxAuthorizationServer AuthorizationServer { get; }

    public SandboxMcpServer McpServer { get; }

    /// <summary>The MCP endpoint, <c>http://127.0.0.1:PORT/mcp</c>.</summary>
    public Uri McpServerUrl => McpServer.McpServerUrl;

    /// <summary>
    /// Starts the authorization server, then the MCP server (validating tokens against the authorization server's
    /// table in process), and registers the MCP URL as the only resource the authorization server accepts.
    /// </summary>
    public static async Task<Sandbox> StartAsync(SandboxOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SandboxOptions();
        var authorizationServer = await SandboxAuthorizationServer.StartAsync(options.AuthorizationServer, cancellationToken).ConfigureAwait(false);
        try
        {
            var issuer = authorizationServer.IssuerIdentifier
                + (options.AuthorizationServer.Quirks.IssuerWithTrailingSlashInResourceMetadata ? "/" : "");
            var mcpOptions = options.McpServer with { AuthorizationServers = [issuer] };
            var mcpServer = await SandboxMcpServer.StartAsync(mcpOptions, authorizationServer.TokenValidator, cancellationToken).ConfigureAwait(false);
            authorizationServer.AddResource(mcpServer.McpServerUrl.AbsoluteUri);
            return new Sandbox(authorizationServer, mcpServer);
        }
        catch
        {
            await authorizationServer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops both servers.</summary>
    public async ValueTask DisposeAsync()
    {
        await McpServer.DisposeAsync().ConfigureAwait(false);
        await AuthorizationServer.DisposeAsync().ConfigureAwait(false);
    }
}
