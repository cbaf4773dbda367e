using System.ComponentModel;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.AspNetCore.Authentication;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Server;

namespace McpAuth.Tests.SdkServer;

/// <summary>
/// The web application: the SDK's MCP endpoint, JWT validation, the SDK's RFC 9728 challenge and metadata; with
/// <c>--dpop required</c>, DPoP-bound tokens only (<see cref="DPoPBoundTokens"/>).
/// </summary>
internal static class SdkServerApp
{
    public static WebApplication Build(SdkServerOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.Origin);

        builder.Services.AddAuthentication(auth =>
            {
                auth.DefaultAuthenticateScheme = JwtBearerDefaults.AuthenticationScheme;
                auth.DefaultChallengeScheme = McpAuthenticationDefaults.AuthenticationScheme;
            })
            .AddJwtBearer(jwt =>
            {
                jwt.Authority = options.Issuer;
                jwt.RequireHttpsMetadata = false;
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters.ValidIssuer = options.Issuer;
                jwt.TokenValidationParameters.ValidAudience = options.McpUrl;
                jwt.TokenValidationParameters.ClockSkew = TimeSpan.Zero; // short-lived tokens must expire on time
                if (options.HostsOpenIddict)
                {
                    // OpenIddict publishes its discovery document at the OpenID Connect path of this origin.
                    jwt.MetadataAddress = options.Origin + "/.well-known/openid-configuration";
                }
                if (options.RequireDPoP)
                {
                    DPoPBoundTokens.Require(jwt, new DPoPProofValidator(TimeProvider.System));
                }
            })
            .AddMcp(mcp => mcp.ResourceMetadata = new ProtectedResourceMetadata
            {
                Resource = options.McpUrl,
                AuthorizationServers = { options.Issuer },
                ScopesSupported = ["mcp:read"],
                DpopBoundAccessTokensRequired = options.RequireDPoP,
                DpopSigningAlgValuesSupported = options.RequireDPoP ? ["ES256"] : null,
            });
        builder.Services.AddAuthorization();

        builder.Services.AddMcpServer()
            .WithHttpTransport(http => http.SessionMode = options.SessionMode == "stateless"
                ? HttpServerSessionMode.Stateless
                : HttpServerSessionMode.Stateful)
            .WithTools<TestTools>();

        if (options.HostsOpenIddict)
        {
            OpenIddictAuthority.AddServices(builder.Services, options);
        }

        var app = builder.Build();
        if (options.RequireDPoP)
        {
            DPoPBoundTokens.AddChallenge(app);
        }
        app.UseAuthentication();
        app.UseAuthorization();
        if (options.HostsOpenIddict)
        {
            OpenIddictAuthority.MapEndpoints(app, options);
        }
        app.MapMcp("/mcp").RequireAuthorization();
        return app;
    }
}

/// <summary>The tools the tests call.</summary>
[McpServerToolType]
internal sealed class TestTools
{
    [McpServerTool(Name = "whoami"), Description("The subject and scope of the access token")]
    public static string WhoAmI(ClaimsPrincipal user) =>
        $"sub {user.FindFirst("sub")?.Value}, scope {user.FindFirst("scope")?.Value}";

    [McpServerTool(Name = "echo"), Description("Echoes the text")]
    public static string Echo(string text) => text;
}
