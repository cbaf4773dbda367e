namespace McpAuth.Engine;

/// <summary>How tokens are obtained (the grant and what it needs) and whether they are sender-constrained (DPoP).</summary>
public sealed class GrantOptions
{
    /// <summary>The grant. Default <see cref="McpAuthGrant.AuthorizationCode"/> (with PKCE, through the user's browser).</summary>
    public McpAuthGrant Kind { get; set; } = McpAuthGrant.AuthorizationCode;

    /// <summary>
    /// DPoP use (RFC 9449). Default <see cref="DPoPMode.Auto"/>; <see cref="DPoPMode.WhenRequired"/> binds only where the
    /// resource requires it. A resource that requires DPoP-bound tokens gets them in every mode, or
    /// <see cref="McpAuthErrorCode.DPoPNotSupported"/>.
    /// </summary>
    public DPoPMode DPoP { get; set; } = DPoPMode.Auto;

    /// <summary>For <see cref="McpAuthGrant.JwtBearer"/>: provides the workload identity token (the assertion).</summary>
    public Func<CancellationToken, ValueTask<string>>? WorkloadIdentityToken { get; set; }

    /// <summary>For <see cref="McpAuthGrant.EnterpriseManaged"/>: the identity provider.</summary>
    public EnterpriseIdentityOptions? Enterprise { get; set; }

    /// <summary>Checks the group against the client identity the grant needs; called by <see cref="McpAuthOptions.Validate"/>.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.InvalidConfiguration"/> naming the option.</exception>
    public void Validate(ClientIdentityOptions client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (Kind is McpAuthGrant.ClientCredentials or McpAuthGrant.JwtBearer or McpAuthGrant.EnterpriseManaged && client.PreRegistered is null)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, "Client.PreRegistered");
        }
        if (Kind == McpAuthGrant.JwtBearer && WorkloadIdentityToken is null)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, $"Grant.{nameof(WorkloadIdentityToken)}");
        }
        if (Kind == McpAuthGrant.EnterpriseManaged && Enterprise is null)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, $"Grant.{nameof(Enterprise)}");
        }
    }
}
