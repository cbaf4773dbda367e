using McpAuth.Cli.Tests.EndToEnd;
using McpAuth.IntegrationTests.Fixtures;

namespace McpAuth.Cli.Tests.Native;

/// <summary>
/// The shipped NativeAOT <c>mcpauth</c> on the PostgreSQL store: Npgsql, the store's migrations, leases and envelope
/// encryption, as trimmed and compiled ahead of time, in the fleet scenario of <see cref="PostgresFleetTests"/>.
/// </summary>
[Collection(PostgresCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NativePostgresStoreTests(PostgresServer postgres)
{
    [NativeBinaryFact]
    public async Task Two_native_machines_on_one_store_refresh_once_between_them()
    {
        var native = Path.GetFullPath(NativeBinaryFactAttribute.Path!);
        Assert.True(File.Exists(native), $"{NativeBinaryFactAttribute.Variable} names {native}, which does not exist");
        await using var fleet = await PostgresFleet.StartAsync(postgres, native);

        await fleet.LoginThenRefreshOnceBetweenTwoMachinesAsync();
    }
}
