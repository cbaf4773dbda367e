using System.Text.Json.Nodes;
using McpAuth.Hardening.Tests.Infrastructure;

namespace McpAuth.Hardening.Tests.Hostile;

/// <summary>
/// Attacks on the binding of tokens to resources (RFC 9728 §3.3, RFC 8707): metadata that claims another resource,
/// an authorization server shared with another resource, tokens that would travel to another server.
/// </summary>
public static class ResourceAttacks
{
    public static IEnumerable<Attack> All()
    {
        yield return new("resource: metadata claims another server's resource", async () =>
        {
            await using var world = await World.StartAsync();
            var evil = await world.ServerAsync();
            var evilMcp = new FakeMcpServer(evil, world.As.Issuer);
            evilMcp.Metadata["resource"] = world.Mcp.Url.AbsoluteUri;
            using var rig = new ClientRig();
            return Verdict.All(
                await Verdict.Throws(McpAuthErrorCode.ResourceMismatch, () => rig.AuthorizeAsync(evilMcp.Url)),
                Verdict.That(world.As.Server.Requests.Count == 0, "the authorization server was contacted"));
        });
        yield return new("resource: metadata claims a sibling path on the same origin", async () =>
        {
            await using var world = await World.StartAsync();
            world.Mcp.Metadata["resource"] = world.Mcp.Server.Origin + "/mcp-admin";
            using var rig = new ClientRig();
            return Verdict.All(
                await Verdict.Throws(McpAuthErrorCode.ResourceMismatch, () => rig.AuthorizeAsync(world.Mcp.Url)),
                Verdict.That(world.As.Server.Requests.Count == 0, "the authorization server was contacted"));
        });
        foreach (var resource in new[] { "javascript:alert(1)", "file:///mcp", "urn:mcp:server" })
        {
            yield return new($"resource: metadata names a resource that is not an http(s) URL ({resource})", async () =>
            {
                await using var world = await World.StartAsync();
                world.Mcp.Metadata["resource"] = resource;
                using var rig = new ClientRig();
                return Verdict.All(
                    await Verdict.Throws(McpAuthErrorCode.ResourceMismatch, () => rig.AuthorizeAsync(world.Mcp.Url)),
                    Verdict.That(world.As.Server.Requests.Count == 0, "the authorization server was contacted"));
            });
        }
        yield return new("resource: a server listing another server's AS gets a token for itself only", ForeignServerSharesAs);
        yield return new("resource: the handler never sends one server's token to another", TokenStaysWithItsServer);
        yield return new("resource: a redirect from the MCP server to another origin carries no token", RedirectCarriesNoToken);
        yield return new("resource: metadata now naming another AS never receives the stored refresh token", StoredTokenNotSentToNewAs);
        yield return new("resource: refresh goes to the stored token endpoint, not one from new metadata", RefreshToStoredEndpoint);
    }

    private static async Task<string?> ForeignServerSharesAs()
    {
        await using var world = await World.StartAsync();
        var other = new FakeMcpServer(await world.ServerAsync(), world.As.Issuer);
        using var rig = new ClientRig();
        var first = await rig.AuthorizeAsync(world.Mcp.Url);
        await rig.AuthorizeAsync(other.Url);
        var resources = world.As.Server.To("/token").Select(r => Form(r.Body).GetValueOrDefault("resource")).ToList();
        return Verdict.All(
            Verdict.That(resources.SequenceEqual([world.Mcp.Url.AbsoluteUri, other.Url.AbsoluteUri]),
                $"token requests named resources [{string.Join(", ", resources)}]"),
            Verdict.That(!other.Server.Saw(first.Value), "the other server saw the first server's token"));
    }

    private static async Task<string?> TokenStaysWithItsServer()
    {
        await using var world = await World.StartAsync();
        var other = new FakeMcpServer(await world.ServerAsync(), world.As.Issuer);
        using var rig = new ClientRig();
        var first = await rig.AuthorizeAsync(world.Mcp.Url);
        using var mcp = rig.McpHttp(); // the server is each request's URL
        using (var ok = await mcp.PostAsync(world.Mcp.Url, new StringContent("{}")))
        {
            if (!ok.IsSuccessStatusCode)
            {
                return $"the first server answered {(int)ok.StatusCode}";
            }
        }
        using var response = await mcp.PostAsync(other.Url, new StringContent("{}"));
        var secrets = world.As.IssuedTokens.Take(2).ToList(); // the first server's access and refresh tokens
        return Verdict.All(
            Verdict.That(world.Mcp.Server.Saw(first.Value), "the first server never got its own token (test broken)"),
            Verdict.That(!secrets.Any(other.Server.Saw), "the other server saw the first server's token"));
    }

    private static async Task<string?> RedirectCarriesNoToken()
    {
        await using var world = await World.StartAsync();
        var evil = await world.ServerAsync();
        evil.On("POST", "/mcp", c => Respond.Json(c, "{}"));
        using var rig = new ClientRig();
        var token = await rig.AuthorizeAsync(world.Mcp.Url);
        world.Mcp.Server.On("POST", "/mcp", c => Respond.Redirect(c, evil.Origin + "/mcp", 307));
        using var mcp = rig.McpHttp(world.Mcp.Url, followRedirects: true);
        using var response = await mcp.PostAsync(world.Mcp.Url, new StringContent("{}"));
        return Verdict.All(
            Verdict.That(evil.To("/mcp").Count == 1, $"the redirect target got {evil.To("/mcp").Count} requests (test broken)"),
            Verdict.That(!evil.Saw(token.Value), "the redirect target saw the token"));
    }

    private static async Task<string?> StoredTokenNotSentToNewAs()
    {
        await using var world = await World.StartAsync();
        world.As.ExpiresIn = 30;
        var time = new FastForwardTimeProvider();
        using var rig = new ClientRig(time: time);
        await rig.AuthorizeAsync(world.Mcp.Url);
        time.Advance(TimeSpan.FromSeconds(25)); // within the refresh margin: any loaded credential would be refreshed at once
        var evil = new FakeAuthorizationServer(await world.ServerAsync());
        world.Mcp.Metadata["authorization_servers"] = new JsonArray(evil.Issuer);
        var later = rig.NewClient(); // another process, same store
        // Either outcome is safe: the stored credential refreshed at the issuer it is bound to, or a new login needed.
        var failure = await Verdict.Throws(McpAuthErrorCode.LoginRequired, () => later.GetAccessTokenAsync(world.Mcp.Url, CancellationToken.None));
        return Verdict.All(
            Verdict.That(failure is null || world.As.Server.To("/token").Count == 2, $"neither a new login nor a refresh at the bound issuer: {failure}"),
            Verdict.That(!world.As.IssuedTokens.Any(evil.Server.Saw), "the new authorization server saw a stored token"),
            Verdict.Untouched(evil.Server, "/token"));
    }

    private static async Task<string?> RefreshToStoredEndpoint()
    {
        await using var world = await World.StartAsync();
        world.As.ExpiresIn = 30;
        var evil = await world.ServerAsync();
        var time = new FastForwardTimeProvider();
        using var rig = new ClientRig(time: time);
        await rig.AuthorizeAsync(world.Mcp.Url);
        time.Advance(TimeSpan.FromSeconds(25)); // within the refresh margin
        world.As.Metadata["token_endpoint"] = evil.Origin + "/token";
        var refreshed = await rig.Client.GetAccessTokenAsync(world.Mcp.Url, CancellationToken.None);
        return Verdict.All(
            Verdict.That(world.As.Server.To("/token").Count == 2, "the stored token endpoint was not used for the refresh (test broken)"),
            Verdict.That(!world.As.IssuedTokens.Any(evil.Saw), "the token endpoint named by new metadata saw a token"));
    }

    internal static Dictionary<string, string> Form(string body) =>
        body.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')),
                p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");
}
