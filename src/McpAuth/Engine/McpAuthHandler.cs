using System.Net;
using McpAuth.Protocol;

namespace McpAuth.Engine;

/// <summary>
/// An HTTP handler for MCP requests: attaches the access token (<c>Bearer</c>, or <c>DPoP</c> with a fresh proof per
/// request), answers a 401 by authorizing and a 403 <c>insufficient_scope</c> by stepping up, and retries the request
/// once. A resource server DPoP nonce challenge (RFC 9449 §9) gets one more retry with the nonce.
/// </summary>
public sealed class McpAuthHandler : DelegatingHandler
{
    private readonly McpAuthClient _client;
    private readonly ServerSession? _session;
    private readonly IAuthorizationInteraction? _interaction;

    /// <param name="client">The engine.</param>
    /// <param name="server">
    /// The MCP server the requests go to; null to use each request's URL. When given, its stored credential is read
    /// into memory at once, in the background, so the first request finds it loaded (no network: never a refresh or a
    /// login, which stay with the requests).
    /// </param>
    /// <param name="interaction">How to take the user through authorization; null when only non-interactive grants apply.</param>
    public McpAuthHandler(McpAuthClient client, Uri? server = null, IAuthorizationInteraction? interaction = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _interaction = interaction;
        if (server is not null)
        {
            // Sessions live as long as their engine: resolved once here, not canonicalized again on every request.
            _session = client.SessionFor(server);
            _session.Prefetch();
        }
    }

    /// <exception cref="McpAuthException">When authorization fails; the MCP request is then not sent again.</exception>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var session = _session ?? _client.SessionFor(new UriBuilder(request.RequestUri!) { Query = string.Empty, Fragment = string.Empty }.Uri);
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var token = await session.TryGetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
        bool authorized = false, nonceRetried = false;
        var current = request;
        while (true)
        {
            Attach(current, session, await session.ForRequestAsync(token, cancellationToken).ConfigureAwait(false));
            var response = await base.SendAsync(current, cancellationToken).ConfigureAwait(false);
            var challenge = ChallengeOf(response);
            if (token?.IsDPoP == true && response.Headers.TryGetValues("DPoP-Nonce", out var nonces) && nonces.FirstOrDefault() is { } nonce)
            {
                session.SetResourceNonce(nonce);
                if (response.StatusCode == HttpStatusCode.Unauthorized && challenge?.Error == "use_dpop_nonce" && !nonceRetried)
                {
                    nonceRetried = true;
                    current = Next(response, current, body);
                    continue;
                }
            }
            if (response.StatusCode == HttpStatusCode.Unauthorized && !authorized)
            {
                token = await Retry(response, () => session.ReauthorizeAsync(challenge, token, _interaction, cancellationToken)).ConfigureAwait(false);
            }
            else if (response.StatusCode == HttpStatusCode.Forbidden && challenge?.Error == "insufficient_scope" && !authorized)
            {
                token = await Retry(response, () => session.StepUpAsync(challenge!, token, _interaction, cancellationToken)).ConfigureAwait(false);
            }
            else
            {
                if (response.IsSuccessStatusCode)
                {
                    session.RequestSucceeded();
                }
                return response;
            }
            authorized = true;
            current = Next(null, current, body);
        }
    }

    private static async Task<AccessToken> Retry(HttpResponseMessage response, Func<Task<AccessToken>> authorize)
    {
        response.Dispose();
        return await authorize().ConfigureAwait(false);
    }

    private static void Attach(HttpRequestMessage request, ServerSession session, AccessToken? token)
    {
        request.Headers.Authorization = null;
        request.Headers.Remove("DPoP");
        if (token is null)
        {
            return;
        }
        if (session.CreateResourceProof(token, request.Method, request.RequestUri!) is { } proof)
        {
            request.Headers.Authorization = new("DPoP", token.Value);
            request.Headers.TryAddWithoutValidation("DPoP", proof);
        }
        else
        {
            request.Headers.Authorization = new("Bearer", token.Value);
        }
    }

    private static AuthenticationChallenge? ChallengeOf(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("WWW-Authenticate", out var values))
        {
            return null;
        }
        var challenges = WwwAuthenticate.TryParse(values) ?? [];
        return challenges.FirstOrDefault(c => c.IsScheme("DPoP") && c.Error is not null)
            ?? challenges.FirstOrDefault(c => c.IsScheme("Bearer") || c.IsScheme("DPoP"));
    }

    /// <summary>A copy of <paramref name="request"/> to send again (a request message can be sent only once).</summary>
    private static HttpRequestMessage Next(HttpResponseMessage? toDispose, HttpRequestMessage request, byte[]? body)
    {
        toDispose?.Dispose();
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        foreach (var header in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        if (body is not null)
        {
            copy.Content = new ByteArrayContent(body);
            foreach (var header in request.Content!.Headers)
            {
                copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }
        foreach (var option in request.Options)
        {
            ((IDictionary<string, object?>)copy.Options)[option.Key] = option.Value;
        }
        return copy;
    }
}
