using System.Net;
using System.Net.Http.Headers;
using McpAuth.Protocol;

namespace McpAuth.Http;

/// <summary>
/// Sends one OAuth request under McpAuth's rules: the endpoint passes <see cref="EndpointPolicy"/>, redirects are
/// refused, the request times out, the body is read under a cap. Returns an <see cref="OAuthResponse"/> for the
/// protocol layer to read. The caller's cancellation passes through untouched as <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class OAuthHttpClient
{
    private readonly HttpClient _http;
    private readonly OAuthHttpOptions _options;

    /// <param name="http">
    /// The client to send with. It must not follow redirects; <see cref="CreateDefaultHandler"/> builds a handler that
    /// does not (McpAuth refuses any 3xx it sees).
    /// </param>
    /// <param name="options">Limits; defaults when null.</param>
    public OAuthHttpClient(HttpClient http, OAuthHttpOptions? options = null)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _options = options ?? new OAuthHttpOptions();
    }

    /// <summary>The limits every request is sent with.</summary>
    public OAuthHttpOptions Options => _options;

    /// <summary>
    /// A handler with redirects off, bounded headers, a connect-time check of the resolved address, and the extra
    /// certificate authorities of <see cref="OAuthHttpOptions.ExtraTrustedCertificates"/> trusted besides the system's.
    /// </summary>
    /// <remarks>
    /// Through a forward proxy (HTTP_PROXY / HTTPS_PROXY, honoured as by any .NET HttpClient) the connect-time check sees
    /// only the proxy's address, since the proxy resolves the target: <see cref="EndpointPolicy"/> on the request URL is
    /// what still applies to the target then.
    /// </remarks>
    /// <param name="options">Limits and extra trusted certificate authorities; defaults when null.</param>
    /// <param name="resolveHost">
    /// Resolves a host name to the addresses to connect to; <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>
    /// when null. Whatever it answers is checked (a name that resolves to a link-local or cloud metadata address is refused
    /// with <see cref="McpAuthErrorCode.ForbiddenAddress"/>), so a custom resolver (DNS over HTTPS, split horizon) cannot
    /// bypass the policy.
    /// </param>
    public static SocketsHttpHandler CreateDefaultHandler(
        OAuthHttpOptions? options = null, Func<string, CancellationToken, Task<IPAddress[]>>? resolveHost = null)
    {
        var allowLinkLocal = options?.DangerouslyAllowLinkLocalAddresses ?? false;
        var resolve = resolveHost ?? Dns.GetHostAddressesAsync;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            MaxResponseHeadersLength = 64, // KiB
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = async (context, ct) =>
            {
                var addresses = await resolve(context.DnsEndPoint.Host, ct).ConfigureAwait(false);
                if (!allowLinkLocal && addresses.Any(EndpointPolicy.IsForbiddenAddress))
                {
                    throw new McpAuthException(McpAuthErrorCode.ForbiddenAddress, context.DnsEndPoint.Host);
                }
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp)
                {
                    NoDelay = true,
                };
                try
                {
                    await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct).ConfigureAwait(false);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        if (options is not null && (options.ExtraTrustedCertificates.Count > 0 || options.ExtraTrustedCertificatesFile is not null))
        {
            handler.SslOptions.RemoteCertificateValidationCallback =
                ExtraTrustedRoots.Validator(options.ExtraTrustedCertificates, options.ExtraTrustedCertificatesFile);
        }
        return handler;
    }

    /// <summary>Sends <paramref name="request"/> and reads the whole response under the limits.</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.Timeout"/>, <see cref="McpAuthErrorCode.TlsFailure"/> (an untrusted certificate),
    /// <see cref="McpAuthErrorCode.TransportFailure"/> (no connection, or a body
    /// cut short), <see cref="McpAuthErrorCode.RedirectRefused"/>, <see cref="McpAuthErrorCode.ResponseTooLarge"/>, or an
    /// endpoint policy error.
    /// </exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> is cancelled.</exception>
    public Task<OAuthResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendCoreAsync(request, ReadResponseAsync, cancellationToken);

    /// <summary>
    /// Sends a request whose answer is expected to be a redirect, such as an authorization request that the server
    /// grants at once (RFC 6749 §4.1.2), and returns the <c>Location</c> resolved against the request URI, without
    /// following it and without reading the body. Null when the answer is not a redirect (a login page, an error).
    /// The same endpoint policy, timeout and header limits as <see cref="SendAsync"/> apply.
    /// </summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.Timeout"/>, <see cref="McpAuthErrorCode.TransportFailure"/>,
    /// <see cref="McpAuthErrorCode.ResponseTooLarge"/> (headers), or an endpoint policy error.
    /// </exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> is cancelled.</exception>
    public Task<Uri?> ReadRedirectAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendCoreAsync(request, (response, _, _) =>
        {
            var status = (int)response.StatusCode;
            Uri? target = status is >= 300 and <= 399 && response.Headers.Location is { } location
                ? (location.IsAbsoluteUri ? location : new Uri(request.RequestUri!, location))
                : null;
            return Task.FromResult(target);
        }, cancellationToken);

    /// <summary>The endpoint policy, the timeout and the mapping of transport failures to typed errors, for any reading.</summary>
    private async Task<T> SendCoreAsync<T>(
        HttpRequestMessage request, Func<HttpResponseMessage, Uri, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var endpoint = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        EndpointPolicy.Validate(endpoint, _options.DangerouslyAllowLinkLocalAddresses);
        var redacted = EndpointPolicy.Redact(endpoint);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return await read(response, redacted, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException e)
        {
            throw new McpAuthException(McpAuthErrorCode.Timeout, redacted.ToString(), e) { Endpoint = redacted };
        }
        catch (HttpRequestException e) when (e.InnerException is McpAuthException inner)
        {
            throw new McpAuthException(inner.Code, inner.Message, e) { Endpoint = redacted };
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            throw new McpAuthException(McpAuthErrorCode.TlsFailure, redacted.ToString(), e) { Endpoint = redacted };
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConfigurationLimitExceeded)
        {
            // Response headers over MaxResponseHeadersLength: a size attack, not a connection failure.
            throw new McpAuthException(McpAuthErrorCode.ResponseTooLarge, redacted.ToString(), e) { Endpoint = redacted };
        }
        catch (HttpRequestException e)
        {
            throw new McpAuthException(McpAuthErrorCode.TransportFailure, redacted.ToString(), e) { Endpoint = redacted };
        }
        catch (IOException e)
        {
            // The body broke off after the headers: the connection closed or reset before the declared length or the
            // last chunk (HttpIOException, which is not an HttpRequestException).
            throw new McpAuthException(McpAuthErrorCode.TransportFailure, redacted.ToString(), e) { Endpoint = redacted };
        }
    }

    private async Task<OAuthResponse> ReadResponseAsync(HttpResponseMessage response, Uri redacted, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        if (status is >= 300 and <= 399 && status != 304)
        {
            throw new McpAuthException(McpAuthErrorCode.RedirectRefused, redacted.ToString()) { StatusCode = status, Endpoint = redacted };
        }
        var body = await ReadCappedAsync(response.Content, redacted, ct).ConfigureAwait(false);
        return new OAuthResponse(
            status,
            response.Content.Headers.ContentType?.MediaType,
            body,
            redacted,
            response.Headers.TryGetValues("WWW-Authenticate", out var challenges) ? challenges.ToArray() : null,
            RetryAfterOf(response.Headers.RetryAfter),
            response.Headers.TryGetValues("DPoP-Nonce", out var nonces) ? nonces.FirstOrDefault() : null);
    }

    private async Task<byte[]> ReadCappedAsync(HttpContent content, Uri endpoint, CancellationToken ct)
    {
        var cap = _options.MaxResponseBytes;
        if (content.Headers.ContentLength is long declared && declared > cap)
        {
            throw new McpAuthException(McpAuthErrorCode.ResponseTooLarge, endpoint.ToString()) { Endpoint = endpoint };
        }
        var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            if (content.Headers.ContentLength is long length)
            {
                // The usual case: the body read straight into an array of its declared size (HTTP/1.1 framing ends it there).
                var body = new byte[length];
                var filled = 0;
                int got;
                while (filled < body.Length && (got = await stream.ReadAsync(body.AsMemory(filled), ct).ConfigureAwait(false)) > 0)
                {
                    filled += got;
                }
                return filled == body.Length ? body : body[..filled];
            }
            return await ReadChunkedAsync(stream, cap, endpoint, ct).ConfigureAwait(false);
        }
    }

    /// <summary>A body of unknown length, read in pooled chunks until it ends or passes <paramref name="cap"/>.</summary>
    private static async Task<byte[]> ReadChunkedAsync(Stream stream, long cap, Uri endpoint, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > cap)
                {
                    throw new McpAuthException(McpAuthErrorCode.ResponseTooLarge, endpoint.ToString()) { Endpoint = endpoint };
                }
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static TimeSpan? RetryAfterOf(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is TimeSpan delta)
        {
            return delta;
        }
        if (header?.Date is DateTimeOffset date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }
}
