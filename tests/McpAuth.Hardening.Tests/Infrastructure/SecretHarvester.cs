using System.Collections.Concurrent;
using System.Text.Json;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.Storage;

namespace McpAuth.Hardening.Tests.Infrastructure;

/// <summary>
/// Sits between McpAuth and the network and collects every secret that crosses it: access, refresh and ID tokens and
/// client secrets from responses; authorization codes, PKCE verifiers, refresh tokens, client secrets and assertions
/// from requests. Tests then search logs and exception text for each one.
/// </summary>
public sealed class SecretHarvester : DelegatingHandler
{
    private static readonly string[] ResponseMembers = ["access_token", "refresh_token", "id_token", "client_secret", "registration_access_token"];
    private static readonly string[] FormMembers = ["code", "code_verifier", "refresh_token", "client_secret", "client_assertion", "assertion", "subject_token"];

    private readonly ConcurrentDictionary<string, string> _secrets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _sent = new(StringComparer.Ordinal);

    public SecretHarvester(HttpMessageHandler inner) : base(inner)
    {
    }

    /// <summary>Secret value to what it is ("refresh_token", "code_verifier", ...).</summary>
    public IReadOnlyDictionary<string, string> Secrets => _secrets;

    public IEnumerable<string> Kinds => _secrets.Values.Distinct();

    /// <summary>
    /// How many requests McpAuth sent to <paramref name="path"/> with <paramref name="method"/>, counted as they leave
    /// (a server-side count misses a request a client timeout cancelled before the server's handler ran).
    /// </summary>
    public int Sent(string method, string path) => _sent.GetValueOrDefault($"{method} {path}");

    public void Add(string? value, string kind)
    {
        if (!string.IsNullOrEmpty(value) && value.Length >= 8 && _secrets.TryAdd(value, kind))
        {
            // the whole-suite sweep checks every test's output for it too
            SuiteCapture.RecordSecret(kind == "code" ? "authorization_code" : kind, value);
        }
    }

    /// <summary>Adds the code of each callback URL.</summary>
    public void AddCallbacks(IEnumerable<Uri> callbacks)
    {
        foreach (var callback in callbacks)
        {
            Add(McpAuth.IntegrationTests.Fixtures.HeadlessAuthorization.QueryParameter(callback, "code"), "code");
        }
    }

    /// <summary>Adds the DPoP private keys (<c>d</c>), every token and every client secret in <paramref name="vault"/>.</summary>
    public async Task AddStoredAsync(TokenVault vault)
    {
        foreach (var (kind, value) in await SuiteCapture.StoredSecretsAsync(vault))
        {
            Add(value, kind);
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _sent.AddOrUpdate($"{request.Method} {request.RequestUri?.AbsolutePath}", 1, (_, n) => n + 1);
        if (request.Content is { } content)
        {
            var body = await content.ReadAsStringAsync(cancellationToken);
            if (content.Headers.ContentType?.MediaType == "application/x-www-form-urlencoded")
            {
                foreach (var (name, value) in Hostile.ResourceAttacks.Form(body))
                {
                    if (FormMembers.Contains(name))
                    {
                        Add(value, name);
                    }
                }
            }
        }
        if (request.Headers.Authorization is { Scheme: "Basic" } basic)
        {
            var decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(basic.Parameter ?? ""));
            Add(Uri.UnescapeDataString(decoded[(decoded.IndexOf(':') + 1)..].Replace('+', ' ')), "client_secret");
        }
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true)
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            try
            {
                using var json = JsonDocument.Parse(text);
                if (json.RootElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (var member in ResponseMembers)
                    {
                        if (json.RootElement.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.String)
                        {
                            Add(value.GetString(), member);
                        }
                    }
                }
            }
            catch (JsonException)
            {
            }
        }
        return response;
    }
}
