using System.Text;
using McpAuth.Protocol;
using McpAuth.Storage;
using Xunit.Abstractions;

namespace McpAuth.Hardening.Tests.Fuzz;

/// <summary>
/// Generated-input tests of every parser that reads what a server (or the callback) sends: thousands of mutated valid
/// documents each, seeded (see <see cref="FuzzHarness"/>). Only McpAuthException may come out; no case may hang.
/// <c>scripts/fuzz</c> runs these with <c>MCPAUTH_FUZZ_CASES=200000</c>.
/// </summary>
public sealed class ParserFuzzTests(ITestOutputHelper output)
{
    public const int QuickCases = 3000;
    private static readonly Uri Endpoint = new("https://as.example.com/token");

    [Fact]
    public void WwwAuthenticate_parser()
    {
        string[] seeds =
        [
            "Bearer resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource/mcp\", scope=\"mcp:read mcp:write\"",
            "Bearer error=\"insufficient_scope\", scope=\"a b\", error_description=\"needs \\\"admin\\\", really\"",
            "DPoP algs=\"ES256 RS256\", error=\"use_dpop_nonce\", Bearer realm=\"x\", Basic abc123==",
            "Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\"",
            "Bearer, DPoP error=invalid_token, Negotiate YIIB+w==",
        ];
        Text("www-authenticate", seeds, value =>
            {
                foreach (var challenge in WwwAuthenticate.Parse(value))
                {
                    _ = (challenge.Error, challenge.Scope, challenge.ResourceMetadata, challenge.DPoPAlgorithms, challenge.IsScheme("Bearer"));
                }
                _ = OAuthResponseReader.Classify(new OAuthResponse(401, null, default, Endpoint, [value]), "fuzz");
            });
    }

    [Fact]
    public void Protected_resource_metadata()
    {
        var server = new Uri("https://mcp.example.com/mcp");
        Json("protected-resource-metadata", [
            """{"resource":"https://mcp.example.com/mcp","authorization_servers":["https://as.example.com"],"scopes_supported":["mcp:read"],"dpop_signing_alg_values_supported":["ES256"],"dpop_bound_access_tokens_required":false}""",
            """{"resource":"https://mcp.example.com","authorization_servers":["https://a.example","https://b.example/tenant"],"bearer_methods_supported":["header"],"extra":{"x":[1,2,{"y":null}]}}""",
        ], response =>
        {
            var prm = ProtectedResourceMetadata.Read(response);
            _ = ResourceUri.Covers(prm.Resource, server);
            foreach (var issuer in prm.AuthorizationServers)
            {
                try
                {
                    _ = AuthorizationServerMetadata.DiscoveryUris(issuer);
                }
                catch (ArgumentException)
                {
                    // Documented: an issuer that is not a URL; Discovery turns it into AuthorizationServerMetadataNotFound.
                }
            }
        });
    }

    [Fact]
    public void Authorization_server_metadata()
    {
        Json("authorization-server-metadata", [
            """{"issuer":"https://as.example.com","authorization_endpoint":"https://as.example.com/authorize","token_endpoint":"https://as.example.com/token","registration_endpoint":"https://as.example.com/register","revocation_endpoint":"https://as.example.com/revoke","code_challenge_methods_supported":["S256"],"scopes_supported":["openid","mcp:read"],"token_endpoint_auth_methods_supported":["none","client_secret_basic"],"dpop_signing_alg_values_supported":["ES256"],"authorization_response_iss_parameter_supported":true,"client_id_metadata_document_supported":true}""",
            """{"issuer":"https://as.example.com","token_endpoint":"https://as.example.com/token","grant_types_supported":["authorization_code","refresh_token"],"device_authorization_endpoint":"https://as.example.com/device"}""",
        ], response => _ = AuthorizationServerMetadata.Read(response, "https://as.example.com").SupportsS256);
    }

    [Fact]
    public void Token_response()
    {
        var now = DateTimeOffset.UtcNow;
        Json("token-response", [
            """{"access_token":"at-1","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-1","scope":"mcp:read offline_access"}""",
            """{"access_token":"at-2","token_type":"DPoP","expires_in":"3600","id_token":"eyJ.eyJ.sig","issued_token_type":"urn:ietf:params:oauth:token-type:access_token"}""",
            """{"error":"invalid_grant","error_description":"The refresh token expired"}""",
        ], response => _ = TokenEndpointMessages.Read(response).ToTokenSet(now, "previous", "mcp:read"), statuses: [200, 200, 400]);
    }

    [Fact]
    public void Registration_response()
    {
        Json("registration-response", [
            """{"client_id":"c-1","client_secret":"s-1","client_secret_expires_at":0,"token_endpoint_auth_method":"client_secret_basic","redirect_uris":["http://127.0.0.1:33418/callback"]}""",
            """{"client_id":"c-2","client_secret_expires_at":1893456000,"registration_access_token":"rat"}""",
            """{"error":"invalid_redirect_uri","error_description":"loopback only"}""",
        ], response => _ = ClientRegistration.Read(response), statuses: [201, 200, 400]);
    }

    [Fact]
    public void Error_classification()
    {
        Json("error-classifier", [
            """{"error":"invalid_grant","error_description":"expired"}""",
            """{"ok":false,"error":"invalid_refresh_token"}""",
            """{"error":"temporarily_unavailable"}""",
        ], response => _ = OAuthResponseReader.Classify(response, "fuzz"), statuses: [400, 200, 503]);
    }

    [Fact]
    public void Authorization_response_callback()
    {
        string[] seeds =
        [
            "http://127.0.0.1:33418/callback?code=abc&state=s-123&iss=https%3A%2F%2Fas.example.com",
            "http://127.0.0.1:33418/callback?error=access_denied&error_description=No+way&state=s-123&iss=https%3A%2F%2Fas.example.com",
            "http://localhost:33418/callback?state=s-123&code=a%20b%2Bc&iss=https://as.example.com&extra=1",
        ];
        Text("authorization-response", seeds, text =>
            {
                if (!Uri.TryCreate(text, UriKind.RelativeOrAbsolute, out var url))
                {
                    return; // the callback listener never builds a Uri it cannot parse
                }
                var callback = AuthorizationResponse.Parse(url);
                _ = AuthorizationResponse.Validate(callback, "s-123", "https://as.example.com", issuerRequired: true);
            });
    }

    /// <summary>Fuzzes a parser of text (a header value, a URL) with mutations of <paramref name="seeds"/>.</summary>
    private void Text(string name, string[] seeds, Action<string> parse) =>
        Report(FuzzHarness.Run(name, FuzzHarness.Cases(QuickCases),
            r => Encoding.UTF8.GetString(Mutator.Mutate(r, [.. seeds.Select(Encoding.UTF8.GetBytes)])),
            parse,
            value => value.Length > 2000 ? value[..2000] : value));

    private void Json(string name, string[] seeds, Action<OAuthResponse> read, int[]? statuses = null)
    {
        var bytes = seeds.Select(Encoding.UTF8.GetBytes).ToArray();
        string[] mediaTypes = ["application/json", "application/json", "application/json; charset=utf-8", "text/html", "application/jwt+json", ""];
        Report(FuzzHarness.Run(name, FuzzHarness.Cases(QuickCases),
            r =>
            {
                var seed = r.Next(bytes.Length);
                var body = Mutator.Mutate(r, [bytes[seed]]);
                var status = r.Next(8) == 0 ? new[] { 200, 201, 400, 401, 429, 500, 503, 302 }[r.Next(8)] : statuses?[seed] ?? 200;
                var mediaType = mediaTypes[r.Next(mediaTypes.Length)];
                return new OAuthResponse(status, mediaType.Length == 0 ? null : mediaType.Split(';')[0], body, Endpoint,
                    r.Next(10) == 0 ? [Encoding.UTF8.GetString(Mutator.Mutate(r, ["Bearer error=\"invalid_token\""u8.ToArray()]))] : null,
                    r.Next(10) == 0 ? TimeSpan.FromSeconds(r.Next()) : null);
            },
            read,
            response => $"HTTP {response.StatusCode} {response.MediaType} {FuzzHarness.Show(response.Body.ToArray())}"));
    }

    private void Report(FuzzReport report)
    {
        output.WriteLine(report.ToString());
        Assert.True(report.Cases > 0);
    }
}
