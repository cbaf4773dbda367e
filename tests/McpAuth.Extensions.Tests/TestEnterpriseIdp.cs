using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;

namespace McpAuth.Extensions.Tests;

/// <summary>
/// A small enterprise IdP on 127.0.0.1 (Kestrel, port 0): "logs in" a user by issuing an opaque ID token, and performs
/// the ID-JAG token exchange (RFC 8693 §2.1, draft-ietf-oauth-identity-assertion-authz-grant) at <c>/token</c> for its
/// one confidential client. It does not sign JWTs: authorization servers ask <see cref="Validate"/> who an ID-JAG is for.
/// </summary>
internal sealed class TestEnterpriseIdp : IAsyncDisposable
{
    public const string ClientId = "idp-client";
    public const string ClientSecret = "idp-secret";
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _idTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Subject, string Audience, string Resource)> _jags = new(StringComparer.Ordinal);
    private int _logins;
    private int _exchanges;

    private TestEnterpriseIdp(WebApplication app) => _app = app;

    public Uri TokenEndpoint { get; private set; } = null!;

    public int Logins => _logins;

    public int Exchanges => _exchanges;

    public static async Task<TestEnterpriseIdp> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var idp = new TestEnterpriseIdp(app);
        app.MapPost("/token", (Func<HttpContext, Task<IResult>>)idp.ExchangeAsync);
        await app.StartAsync();
        var address = app.Services.GetService(typeof(IServer)) is IServer server
            ? server.Features.Get<IServerAddressesFeature>()!.Addresses.Single() : throw new InvalidOperationException("no server");
        idp.TokenEndpoint = new Uri(new Uri(address), "/token");
        return idp;
    }

    /// <summary>The user's OpenID login: a new ID token for <paramref name="subject"/>.</summary>
    public ValueTask<string> LoginAsync(string subject)
    {
        var idToken = $"idt-{Interlocked.Increment(ref _logins)}-{Guid.NewGuid():N}";
        _idTokens[idToken] = subject;
        return ValueTask.FromResult(idToken);
    }

    /// <summary>Revokes every ID token issued so far (the user's IdP session ended).</summary>
    public void RevokeIdTokens() => _idTokens.Clear();

    /// <summary>The subject of an ID-JAG this IdP issued for <paramref name="audience"/>, or null.</summary>
    public string? Validate(string assertion, string audience) =>
        _jags.TryGetValue(assertion, out var jag) && jag.Audience == audience ? jag.Subject : null;

    private async Task<IResult> ExchangeAsync(HttpContext context)
    {
        Interlocked.Increment(ref _exchanges);
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{ClientSecret}"));
        if (context.Request.Headers.Authorization != expected)
        {
            return Results.Json(new { error = "invalid_client" }, statusCode: 401);
        }
        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:token-exchange"
            || form["subject_token_type"] != "urn:ietf:params:oauth:token-type:id_token"
            || form["requested_token_type"] != "urn:ietf:params:oauth:token-type:id-jag"
            || string.IsNullOrEmpty(form["audience"]) || string.IsNullOrEmpty(form["resource"]))
        {
            return Results.Json(new { error = "invalid_request" }, statusCode: 400);
        }
        if (!_idTokens.TryGetValue(form["subject_token"].ToString(), out var subject))
        {
            return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
        }
        var jag = $"jag-{Guid.NewGuid():N}";
        _jags[jag] = (subject, form["audience"]!, form["resource"]!);
        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = jag,
            ["issued_token_type"] = "urn:ietf:params:oauth:token-type:id-jag",
            ["token_type"] = "N_A",
            ["expires_in"] = 300,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
