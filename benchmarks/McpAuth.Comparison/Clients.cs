using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using McpAuth.Engine;
using McpAuth.Storage;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;

namespace McpAuth.Comparison;

/// <summary>What one session took: its wall time, and of that the time spent waiting for token endpoint responses.</summary>
internal readonly record struct SessionTime(double WallMs, double TokenWaitMs);

/// <summary>One MCP client session: connect (initialize), call the echo tool once; the wall time of both.</summary>
internal static class Clients
{
    public static readonly Uri RedirectUri = new("http://127.0.0.1:33418/callback");

    /// <summary>The handler under both sides' chains: no redirects. The timeline diagnostics put a stamp above it.</summary>
    public static Func<HttpMessageHandler> Transport { get; set; } = () => new HttpClientHandler { AllowAutoRedirect = false };

    /// <summary>McpAuth: the SDK's MCP client over an HttpClient whose handler is <see cref="McpAuthHandler"/>.</summary>
    public static async Task<SessionTime> McpAuthSessionAsync(string home, Uri server)
    {
        var clock = Stopwatch.StartNew();
        // One connection pool for the OAuth requests and the MCP requests, as the SDK side has (its OAuth runs inside
        // the transport's HttpClient): the resource metadata and the MCP endpoint share an origin and a connection.
        var tokenWait = new TokenWaitClock { InnerHandler = Transport() };
        using var oauthHttp = new HttpClient(tokenWait, disposeHandler: false);
        var vault = new TokenVault(OpenStore(home));
        var engine = new McpAuthClient(new McpAuthOptions { Client = { RedirectUri = RedirectUri } }, vault, oauthHttp);
        using var mcpHttp = new HttpClient(new McpAuthHandler(engine, server, new HeadlessAuthorizationInteraction(oauthHttp))
        {
            InnerHandler = tokenWait, // no redirects, as the SDK side's client
        });
        await CallEchoAsync(new HttpClientTransportOptions { Endpoint = server, TransportMode = HttpTransportMode.StreamableHttp }, mcpHttp);
        return new(clock.Elapsed.TotalMilliseconds, tokenWait.WaitedMs);
    }

    /// <summary>The SDK's own OAuth (ClientOAuthOptions) with a durable ITokenCache in <paramref name="cacheFile"/>.</summary>
    public static async Task<SessionTime> SdkSessionAsync(string cacheFile, Uri server)
    {
        var clock = Stopwatch.StartNew();
        var tokenWait = new TokenWaitClock { InnerHandler = Transport() };
        using var http = new HttpClient(tokenWait);
        var oauth = new ClientOAuthOptions
        {
            RedirectUri = RedirectUri,
            DynamicClientRegistration = new DynamicClientRegistrationOptions { ClientName = "sdk-comparison" },
            TokenCache = new FileTokenCache(cacheFile),
            AuthorizationCallbackHandler = async (context, ct) =>
            {
                using var response = await http.GetAsync(context.AuthorizationUri, ct);
                var query = System.Web.HttpUtility.ParseQueryString(response.Headers.Location!.Query);
                return new AuthorizationResult { Code = query["code"], State = query["state"], Iss = query["iss"] };
            },
        };
        await CallEchoAsync(new HttpClientTransportOptions { Endpoint = server, TransportMode = HttpTransportMode.StreamableHttp, OAuth = oauth }, http);
        return new(clock.Elapsed.TotalMilliseconds, tokenWait.WaitedMs);
    }

    /// <summary>The file store with its key in a key file (as `mcpauth` does once chosen; the OS keychain loads MSAL, tens of ms).</summary>
    public static FileTokenStore OpenStore(string home) =>
        FileTokenStore.Open(new FileTokenStoreOptions { Home = home, KeyProtectors = [new McpAuth.Storage.Keys.KeyFileProtector(Path.Combine(home, "store.key"))] });

    private static async Task CallEchoAsync(HttpClientTransportOptions options, HttpClient http)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var transport = new HttpClientTransport(options, http, ownsHttpClient: false);
        await using var client = await McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = "2025-11-25" }, cancellationToken: timeout.Token);
        await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "hi" }, cancellationToken: timeout.Token);
    }
}

/// <summary>
/// Sums the time from sending each token endpoint request to its response, on both sides alike: the sandbox holds
/// each token request for a fixed latency whose timer jitter (a few ms) is larger than the clients' difference.
/// </summary>
internal sealed class TokenWaitClock : DelegatingHandler
{
    private long _ticks;

    public double WaitedMs => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks)).TotalMilliseconds;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method != HttpMethod.Post || request.RequestUri?.AbsolutePath.EndsWith("/token", StringComparison.Ordinal) != true)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Add(ref _ticks, Stopwatch.GetTimestamp() - started);
        }
    }
}

/// <summary>
/// The best durable cache the SDK allows: its TokenContainer (tokens, client id and secret, issuer) as a JSON file,
/// written as durably as McpAuth's store writes an entry (temp file flushed to disk, renamed over, folder flushed), so
/// the comparison does not count McpAuth's fsyncs against a cache that would lose a rotated refresh token in a power
/// failure. It is still plaintext, one file, and unlocked.
/// </summary>
internal sealed partial class FileTokenCache(string path) : ITokenCache
{
    public async ValueTask StoreTokensAsync(TokenContainer tokens, CancellationToken cancellationToken)
    {
        var temp = path + "." + Environment.ProcessId + ".tmp";
        await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            await stream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(tokens), cancellationToken);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        FlushFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    public async ValueTask<TokenContainer?> GetTokensAsync(CancellationToken cancellationToken) =>
        File.Exists(path) ? JsonSerializer.Deserialize<TokenContainer>(await File.ReadAllBytesAsync(path, cancellationToken)) : null;

    private static void FlushFolder(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var fd = Open(folder, 0);
        if (fd >= 0)
        {
            _ = Fsync(fd);
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
