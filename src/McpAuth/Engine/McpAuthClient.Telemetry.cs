using McpAuth.Diagnostics;
using McpAuth.Storage;

namespace McpAuth.Engine;

/// <summary>The engine steps that report a span and metrics around a call (see <see cref="McpAuthTelemetryNames"/>).</summary>
public sealed partial class McpAuthClient
{
    private Task<StoredCredential> RefreshTracedAsync(
        StoredCredential credential, ClientIdentity client, IDPoPProofSigner? dpop, string? rejected, Func<CancellationToken, Task>? beforeRefresh,
        CancellationToken ct) =>
        Telemetry.RunAsync(McpAuthTelemetryNames.RefreshSpan, credential.Binding.Resource,
            () => Refresher.RefreshAsync(credential, client, dpop, rejected, beforeRefresh, ct));

    /// <summary>Revocation never throws for a server failure: its report's error is what the span records.</summary>
    private async Task<RevocationReport> RevokeTracedAsync(StoredCredential credential, ClientIdentity client, CancellationToken ct)
    {
        using var step = Telemetry.Start(McpAuthTelemetryNames.RevocationSpan, credential.Binding.Resource);
        var report = await _revocation.RevokeAsync(credential, client, ct).ConfigureAwait(false);
        if (report.Error is { } error)
        {
            step.Failed(error.Code);
        }
        else
        {
            step.Succeeded();
        }
        return report;
    }
}
