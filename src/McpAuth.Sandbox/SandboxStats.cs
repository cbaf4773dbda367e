using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace McpAuth.Sandbox;

/// <summary>
/// Thread-safe request counters, one per endpoint and one per token grant type, so tests and benchmarks can count
/// the HTTP requests a client made. Counter names are the constants of <see cref="SandboxCounters"/>.
/// </summary>
public sealed class SandboxStats
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _counters = new(StringComparer.Ordinal);

    internal SandboxStats()
    {
    }

    /// <summary>The current value of <paramref name="counter"/>; 0 when it was never incremented.</summary>
    public long Get(string counter) => _counters.TryGetValue(counter, out var box) ? Interlocked.Read(ref box.Value) : 0;

    /// <summary>Token requests with <c>grant_type</c> = <paramref name="grantType"/> (counted before validation).</summary>
    public long TokenRequests(string grantType) => Get(SandboxCounters.TokenGrant(grantType));

    /// <summary>Every counter and its value, sorted by name.</summary>
    public IReadOnlyDictionary<string, long> Snapshot() =>
        new SortedDictionary<string, long>(
            _counters.ToDictionary(pair => pair.Key, pair => Interlocked.Read(ref pair.Value.Value)), StringComparer.Ordinal);

    /// <summary>Sets every counter back to 0.</summary>
    public void Reset()
    {
        foreach (var box in _counters.Values)
        {
            Interlocked.Exchange(ref box.Value, 0);
        }
    }

    internal void Increment(string counter) =>
        Interlocked.Increment(ref _counters.GetOrAdd(counter, static _ => new StrongBox<long>()).Value);
}

/// <summary>The names of the <see cref="SandboxStats"/> counters.</summary>
public static class SandboxCounters
{
    /// <summary>GET of the RFC 8414 metadata document.</summary>
    public const string Metadata = "metadata";

    /// <summary>POST to the RFC 7591 registration endpoint.</summary>
    public const string Registration = "registration";

    /// <summary>Requests to the authorization endpoint.</summary>
    public const string Authorize = "authorize";

    /// <summary>POST to the token endpoint, any grant type.</summary>
    public const string Token = "token";

    /// <summary>POST to the RFC 7009 revocation endpoint.</summary>
    public const string Revocation = "revocation";

    /// <summary>POST to the RFC 7662 introspection endpoint.</summary>
    public const string Introspection = "introspection";

    /// <summary>GET of the RFC 9728 protected resource metadata document.</summary>
    public const string ProtectedResourceMetadata = "protected_resource_metadata";

    /// <summary>Requests to the MCP endpoint, any outcome.</summary>
    public const string Mcp = "mcp";

    /// <summary>MCP requests answered 401 (no token, or an invalid one).</summary>
    public const string McpUnauthorized = "mcp_401";

    /// <summary>MCP requests answered 403 <c>insufficient_scope</c>.</summary>
    public const string McpForbidden = "mcp_403";

    /// <summary>MCP JSON-RPC requests by method, e.g. <c>mcp:tools/call</c>.</summary>
    public static string McpMethod(string method) => "mcp:" + method;

    /// <summary>Token requests by grant type, e.g. <c>token:refresh_token</c>.</summary>
    public static string TokenGrant(string grantType) => "token:" + grantType;

    /// <summary>
    /// Token requests with <c>grant_type</c> = <paramref name="grantType"/> that carried the parameter
    /// <paramref name="name"/> (e.g. <c>resource</c>, <c>audience</c>): names only, never values.
    /// </summary>
    public static string TokenParameter(string grantType, string name) => $"token:{grantType}:param:{name}";

    /// <summary>Authorization requests that carried the parameter <paramref name="name"/> (names only, never values).</summary>
    public static string AuthorizeParameter(string name) => "authorize:param:" + name;

    /// <summary>Requests the sandbox did not route (404 / 405).</summary>
    public const string Unrouted = "unrouted";
}
