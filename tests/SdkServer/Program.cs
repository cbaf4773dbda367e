// The official MCP C# SDK server (ModelContextProtocol.AspNetCore) behind a real authorization server, for McpAuth's
// integration tests. On 127.0.0.1:PORT it serves:
//   /mcp                                          the MCP endpoint (tools "whoami" and "echo"), JWT bearer required
//   /.well-known/oauth-protected-resource/mcp     RFC 9728 metadata naming the authorization server (the SDK's AddMcp)
// A request without a valid token gets 401 with `WWW-Authenticate: Bearer resource_metadata="..."` (the SDK's
// challenge). With `--authorization-server openiddict` the same process is the authorization server too (OpenIddict,
// in-memory EF Core store, one pre-registered confidential client, no dynamic registration); with a URL, access tokens
// are JWTs of that issuer (oidc-provider with accessTokenFormat "jwt").
//
//   dotnet SdkServer.dll --port P --session-mode stateless|stateful --authorization-server openiddict|ISSUER-URL
//       [--access-token-lifetime SECONDS] [--client-id ID --redirect-uri URI]   (OpenIddict's client; its secret comes
//       from the environment variable SDKSERVER_CLIENT_SECRET, never the command line)
//       [--dpop required]   (RFC 9728 dpop_bound_access_tokens_required: DPoP-bound tokens with a valid proof only)
//
// Prints one JSON line on stdout once it listens: {"mcp":"http://127.0.0.1:P/mcp","issuer":"..."}.
// Exits when its stdin closes.

using McpAuth.Tests.SdkServer;

var options = SdkServerOptions.Parse(args);
await using var app = SdkServerApp.Build(options);
await app.StartAsync();
await WarmUp.RunAsync(options);
await Console.Out.WriteLineAsync(
    $$"""{"mcp":"{{options.McpUrl}}","issuer":"{{options.Issuer}}","sessionMode":"{{options.SessionMode}}"}""");
await Console.Out.FlushAsync();
await Console.In.ReadToEndAsync(); // the test closes stdin to stop the server
await app.StopAsync();
