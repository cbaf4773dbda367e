namespace McpAuth.Cli.Commands.Proxy;

/// <summary>
/// Keeps a server that never accepts the credential from opening a browser flow for every message: after
/// <see cref="MaxLoginsWithoutSuccess"/> logins with no successful request in between, the proxy starts no more
/// logins (its requests get a JSON-RPC error saying why) until a request succeeds again. As the outermost handler of
/// the MCP HTTP client, it sees every request's final answer.
/// </summary>
internal sealed class LoginBudget : DelegatingHandler
{
    /// <summary>Logins in a row the server may keep refusing.</summary>
    public const int MaxLoginsWithoutSuccess = 3;
    private int _logins;

    /// <summary>Counts a login about to start; false when the budget is spent.</summary>
    public bool TrySpend()
    {
        while (true)
        {
            var spent = Volatile.Read(ref _logins);
            if (spent >= MaxLoginsWithoutSuccess)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _logins, spent + 1, spent) == spent)
            {
                return true;
            }
        }
    }

    /// <summary>Runs when a request has its final answer (or failed): the proxy releases a login lock it kept.</summary>
    public Func<ValueTask>? RequestDone { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Exchange(ref _logins, 0);
            }
            return response;
        }
        finally
        {
            if (RequestDone is { } done)
            {
                await done().ConfigureAwait(false);
            }
        }
    }
}
