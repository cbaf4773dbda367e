using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace McpAuth.Tests.SdkServer;

/// <summary>
/// OpenIddict 7 as the authorization server in the same process: authorization code with PKCE, rotating refresh
/// tokens, RFC 7009 revocation, JWT (signed, not encrypted) access tokens for the MCP resource. Its store is EF Core's
/// in-memory database. One pre-registered confidential client (client_secret_basic or _post), no dynamic registration.
/// The authorization endpoint approves every valid request at once for user "alice" (a headless test user).
/// </summary>
internal static class OpenIddictAuthority
{
    public static void AddServices(IServiceCollection services, SdkServerOptions options)
    {
        var database = "openiddict-" + Guid.NewGuid().ToString("N"); // one database for every DbContext of this process
        services.AddDbContext<DbContext>(db =>
        {
            db.UseInMemoryDatabase(database);
            db.UseOpenIddict();
        });
        services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<DbContext>())
            .AddServer(server =>
            {
                server.SetIssuer(new Uri(options.Issuer));
                server.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetRevocationEndpointUris("connect/revoke");
                server.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow();
                server.RequireProofKeyForCodeExchange();
                server.RegisterScopes("mcp:read", Scopes.OfflineAccess);
                server.RegisterResources(options.McpUrl);
                server.SetAccessTokenLifetime(TimeSpan.FromSeconds(options.AccessTokenLifetime));
                server.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                server.DisableAccessTokenEncryption(); // a JWS the resource server validates with the published keys
                new SecretLedger().AddHandlers(server);
                server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .DisableTransportSecurityRequirement(); // plain HTTP on 127.0.0.1
            });
        services.AddHostedService(provider => new ClientRegistration(provider, options));
    }

    public static void MapEndpoints(WebApplication app, SdkServerOptions options)
    {
        app.MapMethods("/connect/authorize", ["GET", "POST"], (HttpContext context) => Authorize(context, options));
    }

    private static IResult Authorize(HttpContext context, SdkServerOptions options)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var identity = new ClaimsIdentity(
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, "alice"));
        identity.SetScopes(request.GetScopes());
        identity.SetResources(options.McpUrl);
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>Registers the pre-registered confidential client at start-up (the in-memory store starts empty).</summary>
    private sealed class ClientRegistration(IServiceProvider services, SdkServerOptions options) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (options.ClientId is null || options.RedirectUri is null)
            {
                throw new InvalidOperationException("OpenIddict needs --client-id and --redirect-uri.");
            }
            var secret = Environment.GetEnvironmentVariable(SdkServerOptions.ClientSecretVariable);
            if (string.IsNullOrEmpty(secret))
            {
                throw new InvalidOperationException($"OpenIddict needs the client secret in {SdkServerOptions.ClientSecretVariable}.");
            }
            await using var scope = services.CreateAsyncScope();
            var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = options.ClientId,
                ClientSecret = secret,
                ClientType = ClientTypes.Confidential,
                DisplayName = "mcpauth (pre-registered)",
                RedirectUris = { new Uri(options.RedirectUri) },
                Permissions =
                {
                    Permissions.Endpoints.Authorization,
                    Permissions.Endpoints.Token,
                    Permissions.Endpoints.Revocation,
                    Permissions.GrantTypes.AuthorizationCode,
                    Permissions.GrantTypes.RefreshToken,
                    Permissions.ResponseTypes.Code,
                    Permissions.Prefixes.Scope + "mcp:read",
                    Permissions.Prefixes.Scope + Scopes.OfflineAccess,
                    Permissions.Prefixes.Resource + options.McpUrl,
                },
                Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            };
            await manager.CreateAsync(descriptor, cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
