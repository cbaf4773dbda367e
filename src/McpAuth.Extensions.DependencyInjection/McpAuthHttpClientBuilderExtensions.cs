using McpAuth.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace McpAuth.Extensions.DependencyInjection;

/// <summary>Adds the McpAuth handler to an <see cref="HttpClient"/> registered with <c>AddHttpClient</c>.</summary>
public static class McpAuthHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="McpAuthHandler"/>: every request carries the MCP server's access token, a 401 authorizes and a 403
    /// <c>insufficient_scope</c> steps up. Give this client to the MCP SDK's <c>HttpClientTransport</c>.
    /// Needs <see cref="McpAuthServiceCollectionExtensions.AddMcpAuth"/>.
    /// </summary>
    /// <param name="builder">The HTTP client builder.</param>
    /// <param name="server">The MCP server the client talks to; null to use each request's URL.</param>
    /// <param name="profile">The profile whose credentials to use; null for the configured one.</param>
    public static IHttpClientBuilder AddMcpAuthHandler(this IHttpClientBuilder builder, Uri? server = null, string? profile = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddHttpMessageHandler(services =>
        {
            var clients = services.GetRequiredService<McpAuthClients>();
            var client = profile is null ? clients.Default : clients.ForProfile(profile);
            return new McpAuthHandler(client, server, services.GetService<IAuthorizationInteraction>());
        });
    }
}
