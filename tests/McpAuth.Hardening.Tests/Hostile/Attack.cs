using McpAuth.Hardening.Tests.Infrastructure;

namespace McpAuth.Hardening.Tests.Hostile;

/// <summary>
/// One attack by a hostile server. <see cref="Run"/> returns null when McpAuth refused it (the expected typed error,
/// and no credential where it should not be), else what went wrong.
/// </summary>
public sealed record Attack(string Name, Func<Task<string?>> Run)
{
    public override string ToString() => Name;
}

/// <summary>An honest authorization server and an MCP server that trusts it, each a <see cref="HostileServer"/> one attack bends.</summary>
public sealed class World : IAsyncDisposable
{
    private readonly List<HostileServer> _servers = [];

    public FakeAuthorizationServer As { get; private set; } = null!;

    public FakeMcpServer Mcp { get; private set; } = null!;

    public static async Task<World> StartAsync()
    {
        var world = new World();
        world.As = new FakeAuthorizationServer(await world.ServerAsync());
        world.Mcp = new FakeMcpServer(await world.ServerAsync(), world.As.Issuer);
        return world;
    }

    /// <summary>Another server on another origin (another port), disposed with the world.</summary>
    public async Task<HostileServer> ServerAsync()
    {
        var server = await HostileServer.StartAsync();
        _servers.Add(server);
        return server;
    }

    /// <summary>Every token, code and client secret issued in this world.</summary>
    public IEnumerable<string> Secrets => As.IssuedTokens.Concat(As.IssuedCodes).Append(As.ClientSecret);

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }
}

/// <summary>How attacks judge their outcome.</summary>
public static class Verdict
{
    /// <summary>Null when <paramref name="act"/> throws <see cref="McpAuthException"/> with <paramref name="expected"/>.</summary>
    public static async Task<string?> Throws(McpAuthErrorCode expected, Func<Task> act)
    {
        try
        {
            await act();
            return $"no error (expected {expected})";
        }
        catch (McpAuthException e) when (e.Code == expected)
        {
            return null;
        }
        catch (Exception e)
        {
            return $"expected {expected}, got {e.GetType().Name} {(e as McpAuthException)?.Code}: {e.Message}";
        }
    }

    /// <summary>Combines checks: the first failure, or null.</summary>
    public static string? All(params string?[] failures) => failures.FirstOrDefault(f => f is not null);

    public static string? That(bool ok, string failure) => ok ? null : failure;

    /// <summary>Fails when <paramref name="server"/> received any request on <paramref name="path"/>.</summary>
    public static string? Untouched(HostileServer server, string path) =>
        That(server.To(path).Count == 0, $"{path} received {server.To(path).Count} request(s)");
}
