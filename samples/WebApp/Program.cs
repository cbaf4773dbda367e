using McpAuth.Extensions.DependencyInjection;
using McpAuth.Samples.WebApp;

// An ASP.NET app acting for its users: each signed-in user has their own McpAuth profile "tenant/user", so their MCP
// tokens never mix. One shared callback endpoint completes every user's authorization, routed by its state.
// Configuration: McpServerUrl, PublicBaseUrl (this app's external URL; the callback is {PublicBaseUrl}/oauth/callback).
var builder = WebApplication.CreateBuilder(args);
var server = new Uri(builder.Configuration["McpServerUrl"] ?? "https://mcp.example.com/mcp");
var publicBase = new Uri(builder.Configuration["PublicBaseUrl"] ?? "https://localhost:5001");
builder.Services.AddMcpAuth(options =>
{
    options.Client.Name = "McpAuth web sample";
    options.Client.RedirectUri = new Uri(publicBase, "/oauth/callback");
}).UseFileStore();
builder.Services.AddSingleton(new UserMcp.Settings(server));
builder.Services.AddSingleton<UserMcp>();
// Add your authentication here (cookies + OpenID Connect); UserMcp.ProfileOf reads the tenant and user claims.

var app = builder.Build();

app.MapGet("/tools", async (HttpContext context, UserMcp mcp, CancellationToken ct) =>
    UserMcp.ProfileOf(context.User) is not { } profile
        ? Results.Unauthorized()
        : await mcp.ListToolsAsync(profile, ct));

app.MapGet("/oauth/callback", async (HttpContext context, McpAuthClients clients, CancellationToken ct) =>
{
    var callback = new Uri(publicBase, context.Request.Path + context.Request.QueryString);
    var (profile, _) = await clients.CompleteAuthorizationAsync(callback, ct);
    return UserMcp.ProfileOf(context.User) == profile ? Results.Redirect("/tools") : Results.Forbid();
});

app.Run();
