using McpAuth.Engine;
using McpAuth.Hardening.Tests.Infrastructure;

namespace McpAuth.Hardening.Tests.Hostile;

/// <summary>Mix-up attacks (RFC 9207, RFC 8414 §3.3): a response or document that names another issuer.</summary>
public static class MixUpAttacks
{
    public static IEnumerable<Attack> All()
    {
        yield return new("mix-up: authorization response iss names another issuer", () => CallbackIssuer("http://127.0.0.1:1"));
        yield return new("mix-up: authorization response iss missing though the server advertises it", () => CallbackIssuer(null));
        yield return new("mix-up: authorization response iss differs only by a trailing slash", async () =>
        {
            await using var world = await World.StartAsync();
            world.As.CallbackIssuer = world.As.Issuer + "/";
            return await Refused(world);
        });
        yield return new("mix-up: metadata issuer differs from the URL it was found at", async () =>
        {
            await using var world = await World.StartAsync();
            var evil = await world.ServerAsync();
            world.As.Metadata["issuer"] = evil.Origin;
            using var rig = new ClientRig();
            return Verdict.All(
                await Verdict.Throws(McpAuthErrorCode.IssuerMismatch, () => rig.AuthorizeAsync(world.Mcp.Url)),
                Verdict.Untouched(world.As.Server, "/register"),
                Verdict.Untouched(world.As.Server, "/authorize"),
                Verdict.That(evil.Requests.Count == 0, "the issuer the metadata named was contacted"));
        });
        yield return new("mix-up: configured metadata URL names an issuer the resource does not list", async () =>
        {
            await using var world = await World.StartAsync();
            var evil = await world.ServerAsync();
            var evilAs = new FakeAuthorizationServer(evil);
            using var rig = new ClientRig(new McpAuthOptions { Authorization = { ServerMetadataUrl = evil.Url("/.well-known/oauth-authorization-server") } });
            return Verdict.All(
                await Verdict.Throws(McpAuthErrorCode.IssuerMismatch, () => rig.AuthorizeAsync(world.Mcp.Url)),
                Verdict.Untouched(evil, "/register"),
                Verdict.That(evilAs.IssuedCodes.Count == 0, "the other issuer authorized"));
        });
    }

    private static async Task<string?> CallbackIssuer(string? iss)
    {
        await using var world = await World.StartAsync();
        world.As.CallbackIssuer = iss;
        return await Refused(world);
    }

    private static async Task<string?> Refused(World world)
    {
        using var rig = new ClientRig();
        return Verdict.All(
            await Verdict.Throws(McpAuthErrorCode.AuthorizationResponseIssuerMismatch, () => rig.AuthorizeAsync(world.Mcp.Url)),
            Verdict.Untouched(world.As.Server, "/token"));
    }
}
