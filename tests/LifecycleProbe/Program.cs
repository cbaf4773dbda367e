using System.Diagnostics;
using System.Globalization;
using McpAuth;
using McpAuth.Engine;
using McpAuth.Http;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.Storage;

// Usage:
//   LifecycleProbe token <home> <server-url> <callers> [start-at-unix-ms]
//       A new McpAuthClient over the file store in <home>; <callers> concurrent callers ask for the access token of
//       <server-url> (refreshing when due). Prints one line per caller: "<access-token> <expires-at-unix-seconds>";
//       on stderr: "oauth-requests=<n> elapsed-ms=<ms>" (requests this process sent to authorization servers).
// Exit codes: 0 ok, 1 failure (the McpAuth error code on stderr), 2 usage.
try
{
    return args switch
    {
        ["token", var home, var server, var callers, ..] => await TokenAsync(home, new Uri(server),
            int.Parse(callers, CultureInfo.InvariantCulture), args.Length > 4 ? long.Parse(args[4], CultureInfo.InvariantCulture) : 0),
        _ => Usage(),
    };
}
catch (McpAuthException e)
{
    await Console.Error.WriteLineAsync($"error {e.Code}: {e.Message}");
    return 1;
}

static async Task<int> TokenAsync(string home, Uri server, int callers, long startAtUnixMs)
{
    var counter = new LifecycleProbe.CountingHandler(OAuthHttpClient.CreateDefaultHandler());
    using var http = new HttpClient(counter);
    var vault = new TokenVault(FileTokenStore.Open(new FileTokenStoreOptions { Home = home }));
    var client = new McpAuthClient(new McpAuthOptions { Client = { RedirectUri = new Uri("http://127.0.0.1:33418/callback") }, Grant = { DPoP = DPoPMode.Disabled } }, vault, http,
        logger: SuiteLoggerFactory.Logger<McpAuthClient>()); // logs at Trace for the secret sweep
    var wait = DateTimeOffset.FromUnixTimeMilliseconds(startAtUnixMs) - DateTimeOffset.UtcNow;
    if (wait > TimeSpan.Zero)
    {
        await Task.Delay(wait);
    }
    var clock = Stopwatch.StartNew();
    var tokens = await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(() => client.GetAccessTokenAsync(server, CancellationToken.None))));
    var elapsed = clock.Elapsed.TotalMilliseconds;
    foreach (var token in tokens)
    {
        Console.WriteLine($"{token.Value} {token.ExpiresAt?.ToUnixTimeSeconds()}");
    }
    await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"oauth-requests={counter.Count} elapsed-ms={elapsed:F1}"));
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: LifecycleProbe token <home> <server-url> <callers> [start-at-unix-ms]");
    return 2;
}

namespace LifecycleProbe
{
    /// <summary>Counts the requests sent through it (also used by the lifecycle integration tests).</summary>
    public sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
