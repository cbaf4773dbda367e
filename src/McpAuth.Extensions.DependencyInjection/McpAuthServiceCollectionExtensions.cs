using System.Diagnostics.Metrics;
using McpAuth.Engine;
using McpAuth.Http;
using McpAuth.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpAuth.Extensions.DependencyInjection;

/// <summary>Registers McpAuth in an <see cref="IServiceCollection"/>.</summary>
public static class McpAuthServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> McpAuth sends authorization server requests with (no redirects).</summary>
    public const string OAuthHttpClientName = "McpAuth.OAuth";

    /// <summary>
    /// Registers the McpAuth engine: <see cref="McpAuthOptions"/> (validated when the host starts, and on first use),
    /// a <see cref="TokenVault"/> over the file store (change it with the returned builder), the engine
    /// <see cref="McpAuthClient"/>, and <see cref="McpAuthClients"/> for one engine per profile. Then add the handler
    /// to the MCP client's <see cref="HttpClient"/> with <see cref="McpAuthHttpClientBuilderExtensions.AddMcpAuthHandler"/>.
    /// An <see cref="IAuthorizationInteraction"/> and a <see cref="TimeProvider"/> registered in the container are used.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; it runs for every profile's options.</param>
    /// <returns>A builder to choose the token store.</returns>
    public static McpAuthBuilder AddMcpAuth(this IServiceCollection services, Action<McpAuthOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<McpAuthOptions>().ValidateOnStart();
        if (configure is not null)
        {
            services.ConfigureAll(configure);
        }
        // A named instance is the options of the profile of that name (see McpAuthClients).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<McpAuthOptions>, ProfileNaming>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpAuthOptions>, McpAuthOptionsValidator>());
        services.AddHttpClient(OAuthHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => OAuthHttpClient.CreateDefaultHandler(sp.GetRequiredService<IOptions<McpAuthOptions>>().Value.Http));
        services.TryAddSingleton<ITokenStore>(_ => FileTokenStore.Open());
        services.TryAddSingleton(sp => new TokenVault(sp.GetRequiredService<ITokenStore>()));
        services.TryAddSingleton<McpAuthClients>();
        services.TryAddSingleton(sp => sp.GetRequiredService<McpAuthClients>().Default);
        return new McpAuthBuilder(services);
    }

    /// <summary>Creates an engine for <paramref name="options"/> from the container's vault, HTTP client, clock, logs and meters.</summary>
    internal static McpAuthClient CreateClient(IServiceProvider services, McpAuthOptions options, PendingFlowRegistry pendingFlows) =>
        new(options, services.GetRequiredService<TokenVault>(),
            services.GetRequiredService<IHttpClientFactory>().CreateClient(OAuthHttpClientName),
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>()?.CreateLogger<McpAuthClient>(),
            services.GetService<IMeterFactory>(),
            pendingFlows);
}

/// <summary>Gives named options the profile of their name: the options named "tenant/user" store under that profile.</summary>
internal sealed class ProfileNaming : IPostConfigureOptions<McpAuthOptions>
{
    public void PostConfigure(string? name, McpAuthOptions options)
    {
        if (!string.IsNullOrEmpty(name))
        {
            options.Profile = name;
        }
    }
}

/// <summary>Runs <see cref="McpAuthOptions.Validate"/> and reports its failure as an options validation failure.</summary>
internal sealed class McpAuthOptionsValidator : IValidateOptions<McpAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, McpAuthOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (McpAuthException e)
        {
            return ValidateOptionsResult.Fail($"McpAuthOptions: {e.Message}");
        }
    }
}
