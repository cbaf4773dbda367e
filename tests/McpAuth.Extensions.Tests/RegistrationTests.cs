using McpAuth.Engine;
using McpAuth.Extensions.DependencyInjection;
using McpAuth.PostgreSql;
using McpAuth.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpAuth.Extensions.Tests;

/// <summary>What <c>AddMcpAuth</c> registers: validated options, the store choice, one engine per profile.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public void Invalid_options_fail_startup_validation_with_the_option_named()
    {
        var services = new ServiceCollection();
        services.AddMcpAuth(options => options.Grant.Kind = McpAuthGrant.ClientCredentials).UseInMemoryStore();
        using var provider = services.BuildServiceProvider();

        var startup = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("InvalidConfiguration: Client", startup.Message, StringComparison.Ordinal);
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<McpAuthClient>());
    }

    [Fact]
    public void Valid_options_pass_startup_validation()
    {
        var services = new ServiceCollection();
        services.AddMcpAuth(options => options.Profile = "worker").UseInMemoryStore();
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal("worker", provider.GetRequiredService<McpAuthClient>().Options.Profile);
    }

    [Fact]
    public void The_file_store_is_the_default_and_lives_under_MCPAUTH_HOME_or_the_given_home()
    {
        var home = Directory.CreateTempSubdirectory("mcpauth-di-").FullName;
        try
        {
            var services = new ServiceCollection();
            services.AddMcpAuth().UseFileStore(home);
            using var provider = services.BuildServiceProvider();

            var store = Assert.IsType<FileTokenStore>(provider.GetRequiredService<ITokenStore>());
            Assert.Equal(Path.GetFullPath(home), Path.GetFullPath(store.Home));

            var defaults = new ServiceCollection();
            defaults.AddMcpAuth();
            Assert.Contains(defaults, d => d.ServiceType == typeof(ITokenStore) && d.ImplementationFactory is not null);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public async Task AddMcpAuthPostgreSql_replaces_the_store_in_either_order()
    {
        var options = new PostgresTokenStoreOptions { ConnectionString = "Host=127.0.0.1;Port=1", DangerouslyStorePlaintext = true };
        var before = new ServiceCollection();
        before.AddMcpAuthPostgreSql(options);
        before.AddMcpAuth();
        var after = new ServiceCollection();
        after.AddMcpAuth();
        after.AddMcpAuthPostgreSql(options);

        foreach (var services in new[] { before, after })
        {
            await using var provider = services.BuildServiceProvider();
            Assert.Equal("postgresql", provider.GetRequiredService<ITokenStore>().BackendName);
        }
    }

    [Fact]
    public void Each_profile_gets_its_own_engine_with_the_shared_configuration()
    {
        var services = new ServiceCollection();
        services.AddMcpAuth(options => options.Client.Name = "shared").UseInMemoryStore();
        using var provider = services.BuildServiceProvider();
        var clients = provider.GetRequiredService<McpAuthClients>();

        var alice = clients.ForProfile("acme/alice");

        Assert.Same(alice, clients.ForProfile("acme/alice"));
        Assert.NotSame(alice, clients.ForProfile("acme/bob"));
        Assert.Equal("acme/alice", alice.Options.Profile);
        Assert.Equal("shared", alice.Options.Client.Name);
        Assert.Equal("default", clients.Default.Options.Profile);
    }
}
