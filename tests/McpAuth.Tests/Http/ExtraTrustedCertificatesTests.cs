using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using McpAuth.Http;
using McpAuth.Protocol;

namespace McpAuth.Tests.Http;

/// <summary>
/// <see cref="OAuthHttpOptions.ExtraTrustedCertificates"/> through the default handler, against a TLS server on loopback
/// whose certificate a CA made in the test issued: trusted only with that CA, added to the system's roots (never a
/// replacement that trusts anything), the host name still checked; a handshake failure is TlsFailure.
/// </summary>
public sealed class ExtraTrustedCertificatesTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    public void Dispose() => _ca.Dispose();

    [Fact]
    public async Task The_extra_ca_makes_its_server_trusted()
    {
        await using var server = TlsServer.Start(_ca.ServerCertificate);
        var options = new OAuthHttpOptions();
        options.ExtraTrustedCertificates.Add(_ca.Root);

        var response = await SendAsync(options, server.Url);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("{}", Encoding.UTF8.GetString(response.Body.Span));
    }

    [Fact]
    public async Task Without_it_the_handshake_fails_as_TlsFailure_naming_the_endpoint()
    {
        await using var server = TlsServer.Start(_ca.ServerCertificate);

        var e = await Assert.ThrowsAsync<McpAuthException>(() => SendAsync(new OAuthHttpOptions(), server.Url));

        Assert.Equal(McpAuthErrorCode.TlsFailure, e.Code);
        Assert.False(e.IsTransient);
        Assert.Equal(server.Url, e.Endpoint);
        Assert.Equal(HttpRequestError.SecureConnectionError, Assert.IsType<HttpRequestException>(e.InnerException).HttpRequestError);
    }

    [Fact]
    public async Task Another_extra_ca_does_not_make_the_server_trusted()
    {
        using var other = TestCertificateAuthority.Create();
        await using var server = TlsServer.Start(_ca.ServerCertificate);
        var options = new OAuthHttpOptions();
        options.ExtraTrustedCertificates.Add(other.Root);

        var e = await Assert.ThrowsAsync<McpAuthException>(() => SendAsync(options, server.Url));

        Assert.Equal(McpAuthErrorCode.TlsFailure, e.Code);
    }

    [Fact]
    public async Task A_certificate_of_the_extra_ca_for_another_host_is_refused()
    {
        using var elsewhere = _ca.Issue("mcp.example.com");
        await using var server = TlsServer.Start(elsewhere);
        var options = new OAuthHttpOptions();
        options.ExtraTrustedCertificates.Add(_ca.Root);

        var e = await Assert.ThrowsAsync<McpAuthException>(() => SendAsync(options, server.Url));

        Assert.Equal(McpAuthErrorCode.TlsFailure, e.Code);
    }

    [Fact]
    public async Task The_set_is_copied_when_the_handler_is_built()
    {
        await using var server = TlsServer.Start(_ca.ServerCertificate);
        var options = new OAuthHttpOptions();
        options.ExtraTrustedCertificates.Add(_ca.Root);
        using var http = new HttpClient(OAuthHttpClient.CreateDefaultHandler(options));
        options.ExtraTrustedCertificates.Clear();

        var response = await new OAuthHttpClient(http, options).SendAsync(new HttpRequestMessage(HttpMethod.Get, server.Url), default);

        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task A_bundle_file_is_read_at_the_first_handshake_the_system_does_not_trust_not_when_the_handler_is_built()
    {
        await using var server = TlsServer.Start(_ca.ServerCertificate);
        var bundle = Path.Combine(Path.GetTempPath(), $"mcpauth-ca-{Guid.NewGuid():N}.pem");
        var options = new OAuthHttpOptions { ExtraTrustedCertificatesFile = bundle };
        using var http = new HttpClient(OAuthHttpClient.CreateDefaultHandler(options));
        try
        {
            // Written after the handler was built: only a read at the handshake can find the CA.
            await File.WriteAllTextAsync(bundle, _ca.Root.ExportCertificatePem());

            var response = await new OAuthHttpClient(http, options).SendAsync(new HttpRequestMessage(HttpMethod.Get, server.Url), default);

            Assert.Equal(200, response.StatusCode);
        }
        finally
        {
            File.Delete(bundle);
        }
    }

    [Fact]
    public async Task A_bundle_file_without_a_certificate_trusts_nothing_more()
    {
        await using var server = TlsServer.Start(_ca.ServerCertificate);
        var bundle = Path.Combine(Path.GetTempPath(), $"mcpauth-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(bundle, "not a certificate\n");
        try
        {
            var e = await Assert.ThrowsAsync<McpAuthException>(() => SendAsync(new OAuthHttpOptions { ExtraTrustedCertificatesFile = bundle }, server.Url));

            Assert.Equal(McpAuthErrorCode.TlsFailure, e.Code);
        }
        finally
        {
            File.Delete(bundle);
        }
    }

    private static async Task<OAuthResponse> SendAsync(OAuthHttpOptions options, Uri url)
    {
        using var http = new HttpClient(OAuthHttpClient.CreateDefaultHandler(options));
        return await new OAuthHttpClient(http, options).SendAsync(new HttpRequestMessage(HttpMethod.Get, url), default);
    }

    /// <summary>A TLS server on 127.0.0.1 that answers every request on every connection with 200 and <c>{}</c>.</summary>
    private sealed class TlsServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private Task _accepting = Task.CompletedTask;

        public Uri Url => new($"https://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/x");

        public static TlsServer Start(X509Certificate2 certificate)
        {
            var server = new TlsServer();
            server._listener.Start();
            server._accepting = server.AcceptAsync(certificate);
            return server;
        }

        private async Task AcceptAsync(X509Certificate2 certificate)
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = ServeAsync(client, certificate);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task ServeAsync(TcpClient client, X509Certificate2 certificate)
        {
            using var _ = client;
            try
            {
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, _stop.Token);
                using var reader = new StreamReader(tls, leaveOpen: true);
                while (await reader.ReadLineAsync(_stop.Token) is { Length: > 0 })
                {
                }
                await tls.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"u8.ToArray(), _stop.Token);
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
            {
                // The client refused the certificate (the handshake ends), or the test is over.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync(); // ends the pending accept; the listener stops after it
            await _accepting;
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
