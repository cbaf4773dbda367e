using McpAuth.Cli.Engine;
using McpAuth.Engine;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAuth.Cli.Commands.Proxy;

/// <summary>
/// The remote side of the proxy: the MCP C# SDK's HTTP client transport (Streamable HTTP with sessions, resumption
/// with <c>Last-Event-ID</c>, the 2026-07-28 per-request headers; or the 2024-11-05 HTTP+SSE transport) over an
/// <see cref="HttpClient"/> whose handler attaches McpAuth's credential and logs in when the server asks.
/// </summary>
internal sealed class RemoteConnector(HttpClient http, ProxyOptions options, TimeSpan connectTimeout, ILoggerFactory? logs)
{
    /// <summary>
    /// The HTTP client for MCP requests: the login budget, the error capture, then <see cref="McpAuthHandler"/>, the
    /// watch of rejected tokens, the endpoint policy on the target URL, then the sender.
    /// </summary>
    /// <remarks>
    /// The sender is the CLI's (<see cref="CliHttp"/>, the same as for OAuth requests): no redirects followed with a
    /// credential, the connect-time address check, HTTP(S)_PROXY / NO_PROXY honoured as by any .NET HttpClient, and the
    /// extra certificate authorities of MCPAUTH_EXTRA_CA_CERTS.
    /// </remarks>
    public static HttpClient CreateHttpClient(
        McpAuthClient engine, Uri server, Func<string, string?> environment, IAuthorizationInteraction interaction, LoginBudget budget,
        out RejectedTokenWatch rejections)
    {
        ArgumentNullException.ThrowIfNull(budget);
        var sockets = CliHttp.CreateHandler(environment);
        if (server.Scheme == Uri.UriSchemeHttp && HttpClient.DefaultProxy.GetProxy(server) is { } forward && forward != server)
        {
            // Through a forward proxy (HTTP_PROXY), a connection is not reused: proxies such as tinyproxy close theirs
            // after each response without saying so, and a POST sent on the closing connection fails (ResponseEnded)
            // after the server may have run it, so it cannot be sent again. A new connection per request avoids it.
            // An https:// server is reached through a CONNECT tunnel, which stays open as long as the TLS connection.
            sockets.PooledConnectionLifetime = TimeSpan.Zero;
        }
        rejections = new RejectedTokenWatch(new EndpointPolicyHandler(sockets));
        budget.InnerHandler = new JsonRpcErrorCapture(new McpAuthHandler(engine, server, interaction) { InnerHandler = rejections });
        return new HttpClient(budget) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Connects with the chosen transport; <see cref="ProxyTransport.SseFirst"/> falls back to Streamable HTTP.</summary>
    public async Task<ITransport> ConnectAsync(CancellationToken cancellationToken)
    {
        switch (options.Transport)
        {
            case ProxyTransport.HttpFirst:
                return await Transport(HttpTransportMode.AutoDetect).ConnectAsync(cancellationToken).ConfigureAwait(false);
            case ProxyTransport.HttpOnly:
                return await Transport(HttpTransportMode.StreamableHttp).ConnectAsync(cancellationToken).ConfigureAwait(false);
            case ProxyTransport.SseOnly:
                return await Transport(HttpTransportMode.Sse).ConnectAsync(cancellationToken).ConfigureAwait(false);
            default:
                try
                {
                    return await Transport(HttpTransportMode.Sse).ConnectAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (McpBridge.Find<HttpRequestException>(e) is { StatusCode: { } status } && (int)status is >= 400 and < 500)
                {
                    return await Transport(HttpTransportMode.StreamableHttp).ConnectAsync(cancellationToken).ConfigureAwait(false);
                }
        }
    }

    private HttpClientTransport Transport(HttpTransportMode mode) => new(new HttpClientTransportOptions
    {
        Endpoint = options.Server,
        TransportMode = mode,
        Name = "mcpauth proxy",
        AdditionalHeaders = options.Headers.GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => string.Join(", ", g.Select(h => h.Value)), StringComparer.OrdinalIgnoreCase),
        // An SSE connection may wait for a login in the browser before its endpoint event arrives.
        ConnectionTimeout = connectTimeout,
        OwnsSession = true,
    }, http, logs);
}
