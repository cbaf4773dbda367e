using System.Diagnostics;

namespace McpAuth.Cli.Callback;

/// <summary>
/// Opens a URL in the user's browser: $MCPAUTH_BROWSER or $BROWSER when set, else xdg-open (Linux), open (macOS) or the
/// shell (Windows). Only absolute http and https URLs are ever opened: anything else (file:, javascript:, custom
/// schemes a hostile server might send) is refused.
/// </summary>
public sealed class BrowserLauncher(Func<string, string?> environment) : IBrowserLauncher
{
    /// <summary>True for an absolute http or https URL with a host, the only kind McpAuth opens or prints as a link.</summary>
    public static bool IsWebUrl(Uri? url) =>
        url is { IsAbsoluteUri: true } && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
        && !string.IsNullOrEmpty(url.Host);

    /// <summary>Starts the browser without waiting for it. Returns false (and why) when it could not.</summary>
    public bool TryOpen(Uri url, out string? failure)
    {
        if (!IsWebUrl(url))
        {
            failure = "Only http and https URLs are opened.";
            return false;
        }
        try
        {
            var info = CreateStartInfo(url.AbsoluteUri);
            var process = Process.Start(info);
            if (process is null)
            {
                failure = "No browser could be started.";
                return false;
            }
            if (info.RedirectStandardOutput)
            {
                // The opener's chatter must not reach our stdout (machine values only) or stderr; drain it in the background.
                process.StandardInput.Close();
                _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
                _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
            }
            failure = null;
            return true;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            failure = $"No browser could be started ({e.GetType().Name}).";
            return false;
        }
    }

    private ProcessStartInfo CreateStartInfo(string url)
    {
        var configured = environment("MCPAUTH_BROWSER") ?? environment("BROWSER");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Quiet(new ProcessStartInfo(configured) { ArgumentList = { url } });
        }
        if (OperatingSystem.IsWindows())
        {
            return new ProcessStartInfo(url) { UseShellExecute = true };
        }
        var opener = OperatingSystem.IsMacOS() ? "open" : "xdg-open";
        return Quiet(new ProcessStartInfo(opener) { ArgumentList = { url } });
    }

    private static ProcessStartInfo Quiet(ProcessStartInfo info)
    {
        info.UseShellExecute = false;
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        return info;
    }
}

/// <summary>Opens an authorization URL for the user (a real browser, or a stand-in in the demo and tests).</summary>
public interface IBrowserLauncher
{
    /// <summary>Starts opening <paramref name="url"/> without waiting. Returns false (and why) when it could not.</summary>
    bool TryOpen(Uri url, out string? failure);

    /// <summary>What the person is told before the URL is opened (the URL follows on its own line).</summary>
    string Announcement => "Opening the browser to authorize. If it does not open, visit:";
}
