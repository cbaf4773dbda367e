using McpAuth.Engine;

namespace McpAuth.ConformanceClient;

/// <summary>Maps a conformance scenario and its context to McpAuth options.</summary>
internal static class ScenarioOptions
{
    /// <summary>The client id metadata document URL the CIMD scenario expects.</summary>
    public static readonly Uri ClientMetadataDocument = new("https://conformance-test.local/client-metadata.json");

    public static McpAuthOptions Build(string scenario, ScenarioContext context)
    {
        var options = new McpAuthOptions
        {
            Client = { Name = "McpAuth conformance client", MetadataDocumentUrl = ClientMetadataDocument },
        };
        if (context["client_id"] is { } clientId)
        {
            options.Client.PreRegistered = new PreRegisteredClient(clientId, context["client_secret"]);
        }
        if (context["private_key_pem"] is { } pem)
        {
            options.Client.Key = new ClientKeyOptions(pem, context["signing_algorithm"] ?? "ES256");
        }
        if (scenario.StartsWith("auth/client-credentials", StringComparison.Ordinal))
        {
            options.Grant.Kind = McpAuthGrant.ClientCredentials;
        }
        else if (context["valid_jwt"] is { } workloadToken)
        {
            options.Grant.Kind = McpAuthGrant.JwtBearer;
            options.Grant.WorkloadIdentityToken = _ => ValueTask.FromResult(workloadToken);
        }
        else if (context["idp_id_token"] is { } idToken && context["idp_token_endpoint"] is { } idpToken)
        {
            options.Grant.Kind = McpAuthGrant.EnterpriseManaged;
            options.Grant.Enterprise = new EnterpriseIdentityOptions(new Uri(idpToken), context["idp_client_id"] ?? "", _ => ValueTask.FromResult(idToken));
        }
        return options;
    }
}
