using System.Text.Json.Nodes;
using McpAuth.Hardening.Tests.Infrastructure;

namespace McpAuth.Hardening.Tests.Hostile;

/// <summary>
/// Endpoint policy attacks: plain HTTP off loopback, link-local and cloud-metadata addresses, redirects on OAuth calls,
/// authorization endpoints that are not http(s).
/// </summary>
public static class TransportAttacks
{
    public static IEnumerable<Attack> All()
    {
        yield return new("transport: resource lists a plain-http AS off loopback", () => AsNamed("http://as.example.test", McpAuthErrorCode.InsecureEndpoint));
        foreach (var host in new[] { "https://169.254.169.254", "https://metadata.google.internal", "https://[fe80::1]", "https://[::ffff:169.254.169.254]", "https://100.100.100.200" })
        {
            yield return new($"transport: resource lists an AS at {host}", () => AsNamed(host, McpAuthErrorCode.ForbiddenAddress));
        }
        yield return new("transport: AS host name that DNS resolves to the cloud metadata address",
            () => AsResolvedTo(["169.254.169.254"]));
        yield return new("transport: AS host name that DNS resolves to loopback and an IPv6 link-local address",
            () => AsResolvedTo(["127.0.0.1", "fe80::1"]));
        foreach (var issuer in new[] { "javascript:alert(1)", "htte.:om", "file:///etc/passwd" })
        {
            yield return new($"transport: resource lists an AS that is not an http(s) URL ({issuer})",
                () => AsNamed(issuer, McpAuthErrorCode.AuthorizationServerMetadataNotFound));
        }
        yield return new("transport: registration endpoint at the cloud metadata address",
            () => Endpoint("registration_endpoint", "https://169.254.169.254/register", McpAuthErrorCode.ForbiddenAddress));
        yield return new("transport: token endpoint over plain http off loopback",
            () => Endpoint("token_endpoint", "http://as.example.test/token", McpAuthErrorCode.InsecureEndpoint));
        yield return new("transport: authorization endpoint over plain http off loopback",
            () => Endpoint("authorization_endpoint", "http://as.example.test/authorize", McpAuthErrorCode.InsecureEndpoint));
        foreach (var url in new[] { "javascript:alert(document.cookie)", "file:///etc/passwd", "myapp://authorize", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)" })
        {
            yield return new($"transport: authorization endpoint {url[..url.IndexOf(':')]}: is never opened",
                () => Endpoint("authorization_endpoint", url, McpAuthErrorCode.InvalidResponse));
        }
        yield return new("transport: challenge resource_metadata at the cloud metadata address", ChallengeAtMetadataAddress);
        yield return new("transport: resource metadata answers with a redirect", () => Redirected("/.well-known/oauth-protected-resource/mcp", mcp: true));
        yield return new("transport: AS metadata answers with a redirect", () => Redirected("/.well-known/oauth-authorization-server", mcp: false));
        yield return new("transport: registration endpoint answers 308 to another origin", () => Redirected("/register", mcp: false, 308));
        yield return new("transport: token endpoint answers 307 to another origin (code and verifier stay home)", () => Redirected("/token", mcp: false, 307));
    }

    private static async Task<string?> AsNamed(string issuer, McpAuthErrorCode expected)
    {
        await using var world = await World.StartAsync();
        world.Mcp.Metadata["authorization_servers"] = new JsonArray(issuer);
        using var rig = new ClientRig();
        return Verdict.All(
            await Verdict.Throws(expected, () => rig.AuthorizeAsync(world.Mcp.Url)),
            Verdict.That(rig.Interaction.Opened.Count == 0, "an authorization URL was opened"));
    }

    /// <summary>
    /// An AS named by a host name (so the URL check passes) whose DNS answer is hostile: the connect-time check must
    /// refuse it before any connection. Only the DNS answer is faked; the handler, sockets and engine are the real ones.
    /// </summary>
    private static async Task<string?> AsResolvedTo(string[] addresses)
    {
        await using var world = await World.StartAsync();
        const string host = "as.hostile-dns.test";
        world.Mcp.Metadata["authorization_servers"] = new JsonArray($"https://{host}");
        var asked = new List<string>();
        using var rig = new ClientRig(resolveHost: (name, _) =>
        {
            lock (asked)
            {
                asked.Add(name);
            }
            return Task.FromResult(name == host ? addresses.Select(System.Net.IPAddress.Parse).ToArray() : System.Net.Dns.GetHostAddresses(name));
        });
        return Verdict.All(
            await Verdict.Throws(McpAuthErrorCode.ForbiddenAddress, () => rig.AuthorizeAsync(world.Mcp.Url)),
            Verdict.That(asked.Contains(host), "the hostile name was never resolved: the attack did not reach the connect-time check"),
            Verdict.That(rig.Interaction.Opened.Count == 0, "an authorization URL was opened"));
    }

    private static async Task<string?> Endpoint(string member, string url, McpAuthErrorCode expected)
    {
        await using var world = await World.StartAsync();
        world.As.Metadata[member] = url;
        using var rig = new ClientRig();
        var failure = await Verdict.Throws(expected, () => rig.AuthorizeAsync(world.Mcp.Url));
        var opened = rig.Interaction.Opened.Where(u => !u.AbsoluteUri.StartsWith(world.As.Server.Origin, StringComparison.Ordinal)).ToList();
        return Verdict.All(
            failure,
            Verdict.That(opened.Count == 0, $"opened {string.Join(", ", opened)}"),
            Verdict.That(!rig.Logs.Lines.Any(l => l.Contains(url, StringComparison.OrdinalIgnoreCase) && !url.StartsWith("http", StringComparison.Ordinal)),
                "a log line shows the non-http URL"));
    }

    private static async Task<string?> ChallengeAtMetadataAddress()
    {
        await using var world = await World.StartAsync();
        world.Mcp.Server.On("POST", "/mcp", c =>
        {
            c.Response.Headers.WWWAuthenticate = "Bearer resource_metadata=\"https://169.254.169.254/latest/meta-data/iam\"";
            c.Response.StatusCode = 401;
            return Task.CompletedTask;
        });
        using var rig = new ClientRig();
        using var mcp = rig.McpHttp(world.Mcp.Url);
        return await Verdict.Throws(McpAuthErrorCode.ForbiddenAddress, () => mcp.PostAsync(world.Mcp.Url, new StringContent("{}")));
    }

    private static async Task<string?> Redirected(string path, bool mcp, int status = 302)
    {
        await using var world = await World.StartAsync();
        var evil = await world.ServerAsync();
        var evilAs = new FakeAuthorizationServer(evil, world.As.Issuer);
        new FakeMcpServer(evil, world.As.Issuer);
        var server = mcp ? world.Mcp.Server : world.As.Server;
        server.On(path == "/token" || path == "/register" ? "POST" : "GET", path, c => Respond.Redirect(c, evil.Origin + path, status));
        using var rig = new ClientRig();
        return Verdict.All(
            await Verdict.Throws(McpAuthErrorCode.RedirectRefused, () => rig.AuthorizeAsync(world.Mcp.Url)),
            Verdict.That(evil.Requests.Count == 0, $"the redirect target got {evil.Requests.Count} request(s)"),
            Verdict.That(evilAs.IssuedTokens.Count == 0, "the redirect target issued tokens"));
    }
}
