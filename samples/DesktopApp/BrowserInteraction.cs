using System.Diagnostics;
using System.Net;
using McpAuth.Engine;

namespace McpAuth.Samples.DesktopApp;

/// <summary>
/// Opens the authorization URL in the user's browser and waits for the redirect on the loopback redirect URI
/// (RFC 8252 §7.3). A real app would also show the URL, in case no browser opens.
/// </summary>
internal sealed class BrowserInteraction : IAuthorizationInteraction
{
    public async Task<Uri> AuthorizeAsync(Uri authorizationUrl, Uri redirectUri, CancellationToken cancellationToken)
    {
        using var listener = new HttpListener();
        listener.Prefixes.Add(redirectUri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
        listener.Start();
        Console.Error.WriteLine("Opening the browser to sign in...");
        Process.Start(new ProcessStartInfo(authorizationUrl.AbsoluteUri) { UseShellExecute = true });
        var context = await listener.GetContextAsync().WaitAsync(cancellationToken);
        var callback = context.Request.Url!;
        context.Response.ContentType = "text/plain";
        await context.Response.OutputStream.WriteAsync("Signed in. You can close this tab."u8.ToArray(), cancellationToken);
        context.Response.Close();
        return callback;
    }
}
