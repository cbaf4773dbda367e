using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpAuth.PostgreSql.Tests.Gateway;

/// <summary>
/// A token endpoint with refresh token rotation and replay detection, the way strict authorization servers behave: each
/// refresh token works once; presenting a used one revokes its whole family (RFC 9700 §4.14.2), so every later refresh
/// of that credential fails. It counts refreshes per family, which is how the tests see double refreshes.
/// Refresh tokens look like <c>rt.{family}.{generation}</c>. Binds 127.0.0.1 on port 0.
/// </summary>
public sealed class RotatingTokenEndpoint : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Family> _families = new();
    private readonly WebApplication _app;
    private int _replays;

    private RotatingTokenEndpoint(WebApplication app) => _app = app;

    public Uri TokenEndpoint { get; private set; } = null!;

    /// <summary>Used refresh tokens presented again.</summary>
    public int Replays => Volatile.Read(ref _replays);

    /// <summary>Successful refreshes per family.</summary>
    public IReadOnlyDictionary<string, int> RefreshesByFamily => _families.ToDictionary(f => f.Key, f => f.Value.Refreshes);

    /// <summary>The refresh token a family's holder must present next.</summary>
    public string CurrentRefreshToken(string family) => _families[family].Current;

    public static async Task<RotatingTokenEndpoint> StartAsync(TimeSpan latency)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var endpoint = new RotatingTokenEndpoint(app);
        app.MapPost("/token", async (HttpRequest request) =>
        {
            await Task.Delay(latency);
            var form = await request.ReadFormAsync();
            return endpoint.Refresh(form["grant_type"].ToString(), form["refresh_token"].ToString());
        });
        await app.StartAsync();
        endpoint.TokenEndpoint = new Uri(app.Urls.Single() + "/token");
        return endpoint;
    }

    /// <summary>Issues the first refresh token of a new family (as an authorization would).</summary>
    public string Issue(string family) => _families.GetOrAdd(family, f => new Family($"rt.{f}.0")).Current;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private IResult Refresh(string grantType, string refreshToken)
    {
        var parts = refreshToken.Split('.');
        if (grantType != "refresh_token" || parts.Length != 3 || !_families.TryGetValue(parts[1], out var family))
        {
            return Error("invalid_grant");
        }
        lock (family)
        {
            if (family.Revoked || refreshToken != family.Current)
            {
                if (!family.Revoked)
                {
                    Interlocked.Increment(ref _replays);
                    family.Revoked = true;
                }
                return Error("invalid_grant");
            }
            family.Refreshes++;
            family.Current = $"rt.{parts[1]}.{family.Refreshes}";
            return Results.Json(new Dictionary<string, object>
            {
                ["access_token"] = $"at.{parts[1]}.{family.Refreshes}",
                ["token_type"] = "Bearer",
                ["expires_in"] = 3600,
                ["refresh_token"] = family.Current,
            });
        }
    }

    private static IResult Error(string error) => Results.Json(new Dictionary<string, string> { ["error"] = error }, statusCode: 400);

    private sealed class Family(string current)
    {
        public string Current { get; set; } = current;
        public int Refreshes { get; set; }
        public bool Revoked { get; set; }
    }
}
