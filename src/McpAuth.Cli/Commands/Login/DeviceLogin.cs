using McpAuth.Cli.Callback;
using McpAuth.Cli.Output;
using McpAuth.Engine;
using McpAuth.Protocol;

namespace McpAuth.Cli.Commands.Login;

/// <summary>
/// <c>mcpauth login --device</c> (RFC 8628): the verification URI alone on stdout, the user code and how to use it on
/// stderr, a spinner while the engine polls. Ctrl-C cancels the polling (exit 2 through the shared error mapping).
/// </summary>
public static class DeviceLogin
{
    /// <summary>Runs the device grant through <paramref name="client"/>; the credential is stored by the engine.</summary>
    public static async Task RunAsync(CliContext cli, McpAuthClient client, Uri server, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(client);
        IAsyncDisposable? spinner = null;
        try
        {
            await client.AuthorizeWithDeviceCodeAsync(server, async (device, _) =>
            {
                await ShowAsync(cli, device).ConfigureAwait(false);
                spinner = Spinner.Start(cli, "Waiting for the authorization on the other device... (Ctrl-C to cancel)");
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (spinner is not null)
            {
                await spinner.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task ShowAsync(CliContext cli, DeviceAuthorizationResponse device)
    {
        await cli.Err.WriteLineAsync("On any device, open this URL:").ConfigureAwait(false);
        await cli.Out.WriteLineAsync(device.VerificationUri.AbsoluteUri).ConfigureAwait(false);
        await cli.Out.FlushAsync().ConfigureAwait(false);
        await cli.Err.WriteLineAsync($"and enter the code: {device.UserCode}").ConfigureAwait(false);
        if (device.VerificationUriComplete is { } complete && BrowserLauncher.IsWebUrl(complete))
        {
            await cli.Err.WriteLineAsync($"(or open {complete.AbsoluteUri}, which carries the code)").ConfigureAwait(false);
        }
    }
}
