using McpAuth.Cli.Tests;
using McpAuth.IntegrationTests.Fixtures;

namespace McpAuth.IntegrationTests.RealServers;

/// <summary>
/// A person using the built <c>mcpauth</c> against a real server: <c>login --no-browser</c> prints the authorization
/// URL, a headless user agent (<see cref="HeadlessAuthorization"/>: cookies, redirects) opens it on a server that
/// approves at once, and lands on the CLI's loopback callback; then <c>token</c>, <c>status</c>, <c>logout</c>.
/// Each user has a private MCPAUTH_HOME.
/// </summary>
public sealed class CliUser : IDisposable
{
    private readonly TempHome _home = new();

    public CliUser() => Cli = new CliProcess(_home.Path);

    /// <summary>A second user agent on the same machine state: a copy of this user's MCPAUTH_HOME (store and key).</summary>
    public CliUser CopyHome()
    {
        var copy = new CliUser();
        foreach (var file in Directory.GetFiles(_home.Path, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy._home.Path, Path.GetRelativePath(_home.Path, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return copy;
    }

    /// <summary>
    /// Runs every later command with its clock moved forward (libfaketime, Debian's faketime package): the CLI
    /// then finds its stored access token due for a refresh however its refresh margin is chosen.
    /// </summary>
    public void ClockAhead(TimeSpan by)
    {
        const string library = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
        if (!File.Exists(library))
        {
            throw new InvalidOperationException($"libfaketime is missing ({library}): {TestTools.InstallHint} (Debian package faketime).");
        }
        Cli.Environment["LD_PRELOAD"] = library;
        Cli.Environment["FAKETIME"] = "+" + ((int)by.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Cli.Environment["FAKETIME_DONT_FAKE_MONOTONIC"] = "1";
    }

    public CliProcess Cli { get; }

    /// <summary>The authorization URL the last login printed (null before one).</summary>
    public Uri? LastAuthorizationUrl { get; private set; }

    /// <summary>
    /// <c>mcpauth login SERVER --no-browser ARGS</c>, completed by the headless user; returns the run. A failure of the
    /// user's side (a page without a redirect: the server refused the request) kills the login and is rethrown.
    /// </summary>
    public async Task<CliRun> LoginAsync(string server, params string[] args)
    {
        var (run, userFailure) = await TryLoginAsync(server, killOnBrowserFailure: true, args);
        if (userFailure is not null)
        {
            throw new InvalidOperationException($"The login's browser step failed. mcpauth said:\n{run.Stderr}", userFailure);
        }
        return run;
    }

    /// <summary>
    /// A login whose browser step may fail (the server shows an error page instead of redirecting); without
    /// <paramref name="killOnBrowserFailure"/> the CLI then waits until its own --timeout, as it would for a person.
    /// </summary>
    public async Task<(CliRun Run, Exception? BrowserFailure)> TryLoginAsync(string server, bool killOnBrowserFailure, params string[] args)
    {
        var printed = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        Exception? userFailure = null;
        var run = await Cli.RunAsync(["login", server, "--no-browser", .. args], timeout: TimeSpan.FromSeconds(60),
            stdoutLine: line =>
            {
                if (Uri.TryCreate(line.Trim(), UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttp)
                {
                    printed.TrySetResult(url);
                }
            },
            whileRunning: async process =>
            {
                try
                {
                    var exited = process.WaitForExitAsync();
                    var first = await Task.WhenAny(printed.Task, exited).WaitAsync(TimeSpan.FromSeconds(30));
                    if (first == printed.Task)
                    {
                        await ApproveAsync(await printed.Task);
                    }
                    // else: the login ended before it printed an authorization URL (an error before the browser step)
                }
                catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TimeoutException)
                {
                    userFailure = e;
                    if (killOnBrowserFailure)
                    {
                        process.Kill(entireProcessTree: true);
                    }
                }
            });
        return (run, userFailure);
    }

    /// <summary><c>mcpauth token SERVER</c>: the token printed (exit code checked by the caller through the run).</summary>
    public Task<CliRun> TokenAsync(string server) => Cli.RunAsync("token", server);

    /// <summary><c>mcpauth token SERVER</c>, which must succeed: the token alone.</summary>
    public async Task<string> TokenOrFailAsync(string server)
    {
        var run = await TokenAsync(server);
        Assert.True(run.ExitCode == 0, $"mcpauth token exited {run.ExitCode}: {run.Stderr}");
        return run.Stdout.TrimEnd('\n');
    }

    /// <summary><c>mcpauth logout SERVER --json</c>.</summary>
    public Task<CliRun> LogoutAsync(string server, params string[] args) => Cli.RunAsync(["logout", server, "--json", .. args]);

    /// <summary>The one action of a <c>logout --json</c> run (revoked, revocation_note, cleared, registration_removed...).</summary>
    public static System.Text.Json.JsonElement LogoutAction(CliRun logout)
    {
        using var json = System.Text.Json.JsonDocument.Parse(logout.Stdout);
        return Assert.Single(json.RootElement.GetProperty("actions").EnumerateArray().ToList()).Clone();
    }

    /// <summary><c>mcpauth status --json</c>.</summary>
    public Task<CliRun> StatusAsync() => Cli.RunAsync("status", "--json");

    /// <summary>The client_id of the last authorization URL.</summary>
    public string LastClientId =>
        HeadlessAuthorization.QueryParameter(LastAuthorizationUrl ?? throw new InvalidOperationException("No login yet."), "client_id")
            ?? throw new InvalidOperationException("The authorization URL has no client_id.");

    private async Task ApproveAsync(Uri authorizationUrl)
    {
        LastAuthorizationUrl = authorizationUrl;
        var redirectUri = new Uri(HeadlessAuthorization.QueryParameter(authorizationUrl, "redirect_uri")
            ?? throw new InvalidOperationException("The authorization URL has no redirect_uri."));
        using var browser = new HeadlessAuthorization();
        var callback = await browser.AuthorizeAsync(authorizationUrl, redirectUri);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var page = await http.GetAsync(callback); // the CLI's loopback listener: it completes the login
    }

    public void Dispose() => _home.Dispose();
}
