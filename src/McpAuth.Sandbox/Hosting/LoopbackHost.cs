using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace McpAuth.Sandbox;

/// <summary>
/// One Kestrel server on 127.0.0.1 with an OS-chosen port, running one request delegate, over HTTPS when given a
/// certificate. No configuration files, no logging providers, no routing: the smallest host that starts fast.
/// </summary>
internal sealed class LoopbackHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackHost(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The origin the server listens on, <c>http://127.0.0.1:PORT</c> (or https), without a trailing slash.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Starts the server on a free port; with <paramref name="certificate"/> (and its private key, valid for 127.0.0.1) over HTTPS.</summary>
    public static async Task<LoopbackHost> StartAsync(RequestDelegate handler, X509Certificate2? certificate, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        var app = builder.Build();
        app.Run(handler);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
            var port = new Uri(addresses.Addresses.Single()).Port;
            return new LoopbackHost(app, new Uri($"{(certificate is null ? "http" : "https")}://127.0.0.1:{port}"));
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stopping.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
