using System.Net;
using System.Net.Sockets;
using System.Text;
using McpAuth.Hardening.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace McpAuth.Hardening.Tests.Hostile;

/// <summary>
/// Hostile responses: oversized bodies and headers, bodies that never end, servers that never answer, deep JSON, wrong
/// content types, invalid UTF-8, out-of-range numbers. Each is served by the token endpoint, after a real authorization.
/// </summary>
public static class ResponseAttacks
{
    public static IEnumerable<Attack> All()
    {
        var big = new string('a', 2 * 1024 * 1024);
        yield return new("response: 2 MiB token response with Content-Length", () => Token(c => Respond.Json(c, $$"""{"access_token":"{{big}}","token_type":"Bearer"}"""), McpAuthErrorCode.ResponseTooLarge));
        yield return new("response: 2 MiB chunked token response", () => Token(async c =>
        {
            c.Response.ContentType = "application/json";
            for (var i = 0; i < 64; i++)
            {
                await c.Response.WriteAsync(new string(' ', 32 * 1024), c.RequestAborted);
                await c.Response.Body.FlushAsync(c.RequestAborted);
            }
        }, McpAuthErrorCode.ResponseTooLarge));
        yield return new("response: 200 KiB response header", () => Token(c =>
        {
            c.Response.Headers["X-Padding"] = new string('x', 200 * 1024);
            return Respond.Json(c, """{"access_token":"a","token_type":"Bearer"}""");
        }, McpAuthErrorCode.ResponseTooLarge));
        // The two cut-off bodies are text/plain: the rig's secret harvester buffers JSON bodies inside the send, where a
        // break surfaces as an HttpRequestException; these must reach McpAuth's own read of the body.
        yield return new("response: a token body cut short of its Content-Length", () => Token(async c =>
        {
            c.Response.ContentType = "text/plain";
            c.Response.ContentLength = 4096;
            await c.Response.WriteAsync("""{"access_token":"a","tok""", c.RequestAborted);
            await c.Response.Body.FlushAsync(c.RequestAborted);
            c.Abort();
        }, McpAuthErrorCode.TransportFailure));
        yield return new("response: a chunked token body cut off mid-stream", () => Token(async c =>
        {
            c.Response.ContentType = "text/plain";
            await c.Response.WriteAsync("""{"access_token":"a","tok""", c.RequestAborted);
            await c.Response.Body.FlushAsync(c.RequestAborted);
            c.Abort();
        }, McpAuthErrorCode.TransportFailure));
        yield return new("response: a token body that never ends", () => Token(Respond.Endless, McpAuthErrorCode.Timeout));
        yield return new("response: a token endpoint that never answers", () => Token(Respond.Never, McpAuthErrorCode.Timeout));
        yield return new("response: a server that accepts the connection and never answers", SilentSocket);
        yield return new("response: token response nested 10,000 deep", () => Token(c => Respond.Json(c, Deep(10_000)), McpAuthErrorCode.InvalidResponse));
        yield return new("response: token response nested 20 deep inside a member", () => Token(c => Respond.Json(c, $$"""{"access_token":"a","token_type":"Bearer","x":{{Deep(20)}}}"""), McpAuthErrorCode.InvalidResponse));
        yield return new("response: token JSON served as text/html", () => Token(c => Respond.Json(c, """{"access_token":"a","token_type":"Bearer"}""", 200, "text/html"), McpAuthErrorCode.InvalidResponse));
        yield return new("response: token response with invalid UTF-8", () => Token(c => Respond.Bytes(c, [.. "{\"access_token\":\"a\xff\xfe\",\"token_type\":\"Bearer\"}"u8.ToArray().Take(16), 0xff, 0xfe, .. "\",\"token_type\":\"Bearer\"}"u8.ToArray()]), McpAuthErrorCode.InvalidResponse));
        foreach (var expiresIn in new[] { "1e400", "-1", "1e30", "\"9999999999999999999999\"", "true", "\"soon\"" })
        {
            yield return new($"response: expires_in {expiresIn}", () => Token(c => Respond.Json(c, $$"""{"access_token":"a","token_type":"Bearer","expires_in":{{expiresIn}}}"""), McpAuthErrorCode.InvalidResponse));
        }
        yield return new("response: access_token is a number", () => Token(c => Respond.Json(c, """{"access_token":12,"token_type":"Bearer"}"""), McpAuthErrorCode.InvalidResponse));
        yield return new("response: AS metadata nested 10,000 deep", () => Metadata(c => Respond.Json(c, Deep(10_000))));
        yield return new("response: AS metadata with invalid UTF-8", () => Metadata(c => Respond.Bytes(c, [.. "{\"issuer\":\""u8.ToArray(), 0xc3, 0x28, .. "\"}"u8.ToArray()])));
        yield return new("response: registration with client_secret_expires_at out of range", () => Registration(
            """{"client_id":"c","client_secret":"s","client_secret_expires_at":99999999999999999}"""));
        yield return new("response: registration with client_id an object", () => Registration("""{"client_id":{"a":1}}"""));
    }

    private static async Task<string?> Token(Func<HttpContext, Task> hostile, McpAuthErrorCode expected)
    {
        await using var world = await World.StartAsync();
        world.As.Server.On("POST", "/token", hostile);
        using var rig = new ClientRig();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var failure = await Verdict.Throws(expected, () => rig.AuthorizeAsync(world.Mcp.Url));
        return Verdict.All(
            failure,
            Verdict.That(world.As.Server.To("/token").Count >= 1 || expected == McpAuthErrorCode.Timeout, "the token endpoint was never reached (test broken)"),
            Verdict.That(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed.TotalSeconds:F1} s"),
            Verdict.That(await Stored(rig) == 0, "a credential was stored"));
    }

    private static async Task<string?> Metadata(Func<HttpContext, Task> hostile)
    {
        await using var world = await World.StartAsync();
        world.As.Server.On("GET", "/.well-known/oauth-authorization-server", hostile);
        using var rig = new ClientRig();
        return Verdict.All(
            await Verdict.Throws(McpAuthErrorCode.InvalidResponse, () => rig.AuthorizeAsync(world.Mcp.Url)),
            Verdict.Untouched(world.As.Server, "/register"));
    }

    private static async Task<string?> Registration(string json)
    {
        await using var world = await World.StartAsync();
        world.As.Server.OnJson("POST", "/register", json, 201);
        using var rig = new ClientRig();
        return Verdict.All(
            await Verdict.Throws(McpAuthErrorCode.InvalidResponse, () => rig.AuthorizeAsync(world.Mcp.Url)),
            Verdict.Untouched(world.As.Server, "/authorize"));
    }

    private static async Task<string?> SilentSocket()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = new List<Socket>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await listener.AcceptSocketAsync());
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        });
        var server = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/mcp");
        using var rig = new ClientRig();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var failure = await Verdict.Throws(McpAuthErrorCode.Timeout, () => rig.AuthorizeAsync(server));
        listener.Stop();
        await accepting;
        accepted.ForEach(s => s.Dispose());
        return Verdict.All(failure, Verdict.That(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed.TotalSeconds:F1} s"));
    }

    private static async Task<int> Stored(ClientRig rig) => (await rig.Vault.ListCredentialsAsync(CancellationToken.None)).Credentials.Count;

    internal static string Deep(int depth) => new StringBuilder().Insert(0, "{\"a\":", depth).Append("1").Append('}', depth).ToString();
}
