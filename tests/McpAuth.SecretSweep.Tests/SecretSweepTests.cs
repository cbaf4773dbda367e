using McpAuth.IntegrationTests.Fixtures;
using Xunit.Abstractions;

namespace McpAuth.SecretSweep.Tests;

/// <summary>
/// Issue 6: after the whole suite has run (scripts/test runs this project last), no access token, refresh token, ID
/// token, client secret, authorization code, PKCE verifier or device code that oidc-provider issued or received, no
/// secret a hostile test server sent or received, no DPoP private key found in a store, and no sandbox token, appears
/// in any McpAuth log line (Trace), McpAuth exception message or mcpauth output (except the stdout of
/// <c>mcpauth token</c> and <c>--show-token</c>). It also fails when the capture is broken: too few secrets of a kind
/// the suite exercises, or too little captured.
/// </summary>
public sealed class SecretSweepTests(ITestOutputHelper output)
{
    /// <summary>
    /// Floors well below what one full run produces (2026-11-22: 4,093 access tokens, 4,083 refresh tokens, 2,056 codes
    /// and verifiers, 47 client secrets, 3 device codes; 15,608 log lines, 10,210 exception messages, 66 CLI runs; DPoP
    /// private keys: 4 entries (two keys, each as its JWK and its d) since mcpauth asks for unbound tokens, from the
    /// Hardening tests' DPoP flows against oidc-provider): a run under them means the ledger or the capture stopped
    /// working, not that the suite got smaller.
    /// </summary>
    private static readonly Dictionary<string, int> MinimumSecrets = new(StringComparer.Ordinal)
    {
        ["access_token"] = 100,
        ["refresh_token"] = 100,
        ["authorization_code"] = 50,
        ["code_verifier"] = 50,
        ["client_secret"] = 20,
        ["dpop_private_key"] = 2,
        ["device_code"] = 1,
    };

    private static readonly Dictionary<string, int> MinimumLines = new(StringComparer.Ordinal)
    {
        ["log"] = 2000,
        ["exception"] = 500,
        ["cli-stderr"] = 30,
        ["cli-stdout"] = 20,
        ["cli-stdout-exempt"] = 5,
    };

    [Fact]
    public void Nothing_McpAuth_said_during_the_suite_holds_a_secret_the_authorization_servers_issued_or_received()
    {
        var directory = Path.Combine(TestTools.RepoRoot, "artifacts", "test-results", "secret-sweep");
        var result = Sweep.Run(SweepInput.Load(directory));

        File.WriteAllText(Path.Combine(TestTools.RepoRoot, "artifacts", "test-results", "secret-sweep.txt"), result.Summary + "\n");
        output.WriteLine(result.Summary);
        Assert.True(result.Leaks.Count == 0,
            $"{result.Summary}\n{string.Join("\n", result.Leaks.Take(50).Select(leak => leak.Describe()))}");
        var shortfalls = MinimumSecrets.Where(m => result.SecretsOf(m.Key) < m.Value).Select(m => $"{m.Key}: {result.SecretsOf(m.Key)} secrets < {m.Value}")
            .Concat(MinimumLines.Where(m => result.Lines(m.Key) < m.Value).Select(m => $"{m.Key}: {result.Lines(m.Key)} lines < {m.Value}"))
            .ToList();
        Assert.True(shortfalls.Count == 0, $"The capture or the ledger is broken ({string.Join("; ", shortfalls)}): {result.Summary}");
    }
}
