using McpAuth.Cli.Callback;
using McpAuth.Engine;

namespace McpAuth.Cli.Engine;

/// <summary>The engine's interaction seam, answered by the CLI's browser or paste flow on the loopback listener.</summary>
internal sealed class CliAuthorizationInteraction(InteractiveAuthorization interaction) : IAuthorizationInteraction
{
    public Task<Uri> AuthorizeAsync(Uri authorizationUrl, Uri redirectUri, CancellationToken cancellationToken) =>
        interaction.WaitForRedirectAsync(authorizationUrl, cancellationToken);
}
