using McpAuth.Http;
using McpAuth.Protocol;
using McpAuth.Storage;

namespace McpAuth.Engine;

/// <summary>How the client identifies itself at one authorization server.</summary>
/// <param name="Issuer">The issuer this identity is valid at; never used at another.</param>
/// <param name="ClientId">The client id.</param>
/// <param name="ClientSecret">The secret, for confidential clients. Secret.</param>
/// <param name="TokenEndpointAuthMethod">How it authenticates at the token endpoint.</param>
/// <param name="Source">"preregistered", "cimd" or "dcr".</param>
public sealed record ClientIdentity(string Issuer, string ClientId, string? ClientSecret, string TokenEndpointAuthMethod, string Source)
{
    /// <summary>Never prints the client secret.</summary>
    public override string ToString() => $"ClientIdentity {{ Issuer = {Issuer}, ClientId = {ClientId}, Source = {Source} }}";
}

/// <summary>
/// Picks the client identity in the MCP specification's priority order: a pre-registered client, a client ID
/// metadata document, then dynamic registration (RFC 7591). Registrations are stored per (issuer, redirect URI) and
/// reused; a registration is never used at another issuer.
/// </summary>
internal sealed class ClientIdentityResolver(OAuthHttpClient http, TokenVault vault, McpAuthOptions options, TimeProvider time)
{
    /// <summary>The client identity to use at <paramref name="server"/>; a new registration is stored before returning.</summary>
    /// <param name="server">The authorization server's metadata.</param>
    /// <param name="cancellationToken">Cancels the registration request.</param>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.NoClientIdentity"/>, <see cref="McpAuthErrorCode.RegistrationFailed"/>, transport errors.
    /// </exception>
    public async Task<ClientIdentity> ResolveAsync(AuthorizationServerMetadata server, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (PreRegistered(server) is { } client)
        {
            await RememberSecretAsync(client, cancellationToken).ConfigureAwait(false);
            return client;
        }
        if (server.ClientIdMetadataDocumentSupported && options.Client.MetadataDocumentUrl is { } cimd)
        {
            return new ClientIdentity(server.Issuer, cimd.AbsoluteUri, null, ClientAuthentication.None, "cimd");
        }
        var redirect = options.Client.RedirectUri.OriginalString;
        var stored = await vault.GetRegistrationAsync(server.Issuer, redirect, cancellationToken).ConfigureAwait(false);
        if (stored is not null && IsReusable(stored))
        {
            return new ClientIdentity(stored.Issuer, stored.ClientId, stored.ClientSecret, stored.TokenEndpointAuthMethod, stored.Source);
        }
        if (!options.Client.DynamicRegistration || server.RegistrationEndpoint is null)
        {
            throw new McpAuthException(McpAuthErrorCode.NoClientIdentity, server.Issuer) { Hint = ProviderHints.NoClientIdentity };
        }
        return await RegisterAsync(server, server.RegistrationEndpoint, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a stored registration is used for a new authorization: its secret has not expired (RFC 7591 §3.2.1),
    /// and, for one McpAuth made itself, no new one is forced (<see cref="ClientIdentityOptions.ForceNewRegistration"/>) and
    /// no login with it ended without a callback (<see cref="StoredRegistration.Unconfirmed"/>).
    /// </summary>
    private bool IsReusable(StoredRegistration stored) =>
        (stored.ClientSecretExpiresAt is null || stored.ClientSecretExpiresAt > time.GetUtcNow())
        && (stored.Source != "dcr" || (!options.Client.ForceNewRegistration && !stored.Unconfirmed));

    /// <summary>
    /// After a login with a dynamic registration ended without a callback: marks the stored registration
    /// <see cref="StoredRegistration.Unconfirmed"/>, so the next authorization registers again (a server that forgot
    /// the client shows it only on the authorization page). Best effort: a store failure leaves it as it was.
    /// </summary>
    public async Task DoubtAsync(ClientIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (identity.Source != "dcr")
        {
            return;
        }
        try
        {
            var redirect = options.Client.RedirectUri.OriginalString;
            var stored = await vault.GetRegistrationAsync(identity.Issuer, redirect, CancellationToken.None).ConfigureAwait(false);
            if (stored is not null && stored.ClientId == identity.ClientId && !stored.Unconfirmed)
            {
                await vault.SaveRegistrationAsync(stored with { Unconfirmed = true }, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (McpAuthException)
        {
            // Best effort: the login's own failure is what the caller reports.
        }
    }

    /// <summary>
    /// The identity a stored credential was issued to, found without the network: the configured pre-registered
    /// client, else the stored registration for this redirect URI, else any stored registration of that client id at
    /// the issuer, else a client known only by its id and stored method (public clients, imports).
    /// </summary>
    public async Task<ClientIdentity> FromStoredAsync(StoredCredential credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        var (issuer, clientId) = (credential.Binding.Issuer, credential.Binding.ClientId);
        if (options.Client.PreRegistered is { } client && client.ClientId == clientId && (client.Issuer is null || client.Issuer == issuer))
        {
            var method = client.TokenEndpointAuthMethod ?? credential.TokenEndpointAuthMethod
                ?? (client.ClientSecret is null ? ClientAuthentication.None : ClientAuthentication.ClientSecretBasic);
            return new ClientIdentity(issuer, clientId, client.ClientSecret, method, "preregistered");
        }
        var stored = await vault.GetRegistrationAsync(issuer, options.Client.RedirectUri.OriginalString, cancellationToken).ConfigureAwait(false);
        if (stored?.ClientId != clientId)
        {
            stored = await FindRegistrationAsync(issuer, clientId, cancellationToken).ConfigureAwait(false);
        }
        return stored is not null
            ? new ClientIdentity(issuer, clientId, stored.ClientSecret, stored.TokenEndpointAuthMethod, stored.Source)
            : new ClientIdentity(issuer, clientId, null, credential.TokenEndpointAuthMethod ?? ClientAuthentication.None, "stored");
    }

    /// <summary>Deletes every stored registration of <paramref name="clientId"/> at <paramref name="issuer"/>; returns those removed.</summary>
    public async Task<IReadOnlyList<StoredRegistration>> RemoveRegistrationsAsync(string issuer, string clientId, CancellationToken cancellationToken)
    {
        var removed = new List<StoredRegistration>();
        while (await FindRegistrationAsync(issuer, clientId, cancellationToken).ConfigureAwait(false) is { } registration)
        {
            if (await vault.DeleteRegistrationAsync(registration.Issuer, registration.RedirectUri, cancellationToken).ConfigureAwait(false))
            {
                removed.Add(registration);
            }
        }
        return removed;
    }

    /// <summary>
    /// Deletes a dynamic registration at the authorization server (RFC 7592 §2.3: <c>DELETE</c> on its registration
    /// client URI with its registration access token), when the server gave those at registration.
    /// </summary>
    /// <returns>True when the server confirmed; false when the registration cannot be managed.</returns>
    /// <exception cref="McpAuthException">The classified failure (the local registration is already gone).</exception>
    public async Task<bool> DeleteAtServerAsync(StoredRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        if (registration.Source != "dcr" || registration.RegistrationAccessToken is not { } token
            || !Uri.TryCreate(registration.RegistrationClientUri, UriKind.Absolute, out var clientUri))
        {
            return false;
        }
        using var request = new HttpRequestMessage(HttpMethod.Delete, clientUri);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        ClientRegistration.ReadDeleteResponse(await http.SendAsync(request, cancellationToken).ConfigureAwait(false));
        return true;
    }

    private async Task<StoredRegistration?> FindRegistrationAsync(string issuer, string clientId, CancellationToken ct) =>
        (await vault.ListRegistrationsAsync(ct).ConfigureAwait(false)).FirstOrDefault(r => r.Issuer == issuer && r.ClientId == clientId);

    /// <summary>
    /// Forgets a dynamic registration (after <c>invalid_client</c>) so the next authorization registers again: every
    /// stored registration of that client id at the issuer, whichever redirect URI it was made for (the server forgot
    /// the client, not one of its redirect URIs; a process refreshing with another redirect URI finds it by its id).
    /// </summary>
    public async Task ForgetAsync(ClientIdentity identity, CancellationToken cancellationToken)
    {
        if (identity.Source == "dcr")
        {
            await RemoveRegistrationsAsync(identity.Issuer, identity.ClientId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Keeps a pre-registered client's secret with its registration (encrypted like every entry), so a refresh,
    /// a revocation or a later login by a process that was not given the secret again still authenticates
    /// (<see cref="FromStoredAsync"/> finds it by client id). Written only when it changed.
    /// </summary>
    private async Task RememberSecretAsync(ClientIdentity client, CancellationToken ct)
    {
        if (client.ClientSecret is null)
        {
            return;
        }
        var redirect = options.Client.RedirectUri.OriginalString;
        var stored = await vault.GetRegistrationAsync(client.Issuer, redirect, ct).ConfigureAwait(false);
        if (stored is { Source: "preregistered" } && stored.ClientId == client.ClientId && stored.ClientSecret == client.ClientSecret
            && stored.TokenEndpointAuthMethod == client.TokenEndpointAuthMethod)
        {
            return;
        }
        await vault.SaveRegistrationAsync(new StoredRegistration
        {
            Issuer = client.Issuer,
            RedirectUri = redirect,
            ClientId = client.ClientId,
            ClientSecret = client.ClientSecret,
            TokenEndpointAuthMethod = client.TokenEndpointAuthMethod,
            Source = "preregistered",
            RegisteredAt = time.GetUtcNow(),
        }, ct).ConfigureAwait(false);
    }

    private ClientIdentity? PreRegistered(AuthorizationServerMetadata server)
    {
        if (options.Client.PreRegistered is not { } client || (client.Issuer is not null && !string.Equals(client.Issuer, server.Issuer, StringComparison.Ordinal)))
        {
            return null;
        }
        var method = client.TokenEndpointAuthMethod
            ?? (options.Client.Key is not null ? ClientAuthentication.PrivateKeyJwt : null)
            ?? ClientAuthentication.Choose(server.TokenEndpointAuthMethodsSupported, client.ClientSecret is not null)
            ?? (client.ClientSecret is null ? ClientAuthentication.None : ClientAuthentication.ClientSecretBasic);
        return new ClientIdentity(server.Issuer, client.ClientId, client.ClientSecret, method, "preregistered");
    }

    private async Task<ClientIdentity> RegisterAsync(AuthorizationServerMetadata server, Uri endpoint, CancellationToken ct)
    {
        var requestedMethod = ClientAuthentication.Choose(server.TokenEndpointAuthMethodsSupported ?? [ClientAuthentication.None], hasSecret: false)
            ?? ClientAuthentication.Choose(server.TokenEndpointAuthMethodsSupported, hasSecret: true)
            ?? ClientAuthentication.None;
        // A server with a device endpoint (RFC 8628) gets the device_code grant too, so one registration serves both flows.
        IReadOnlyList<string>? grants = server.DeviceAuthorizationEndpoint is null ? null : ["authorization_code", "refresh_token", DeviceAuthorization.GrantType];
        var body = ClientRegistration.BuildBody(new ClientRegistrationRequest([options.Client.RedirectUri], requestedMethod, options.Client.Name, grants));
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Accept.ParseAdd("application/json");
        var initialAccessToken = options.Client.RegistrationAccessToken is { } provider ? await provider(ct).ConfigureAwait(false) : null;
        if (!string.IsNullOrEmpty(initialAccessToken))
        {
            // RFC 7591 §3: an initial access token is sent as an OAuth 2.0 bearer token (RFC 6750 §2.1).
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", initialAccessToken);
        }
        var registered = ReadRegistration(await http.SendAsync(request, ct).ConfigureAwait(false), initialAccessToken is { Length: > 0 });
        var method = registered.TokenEndpointAuthMethod ?? requestedMethod;
        if (method is ClientAuthentication.ClientSecretBasic or ClientAuthentication.ClientSecretPost && registered.ClientSecret is null)
        {
            throw new McpAuthException(McpAuthErrorCode.RegistrationFailed, "registered a secret method without a secret") { Endpoint = endpoint };
        }
        var record = new StoredRegistration
        {
            Issuer = server.Issuer,
            RedirectUri = options.Client.RedirectUri.OriginalString,
            ClientId = registered.ClientId,
            ClientSecret = registered.ClientSecret,
            TokenEndpointAuthMethod = method,
            Source = "dcr",
            ClientSecretExpiresAt = registered.ClientSecretExpiresAt,
            RegisteredAt = time.GetUtcNow(),
            RegistrationClientUri = registered.RegistrationClientUri?.AbsoluteUri,
            RegistrationAccessToken = registered.RegistrationAccessToken,
        };
        await vault.SaveRegistrationAsync(record, ct).ConfigureAwait(false);
        return new ClientIdentity(server.Issuer, registered.ClientId, registered.ClientSecret, method, "dcr");
    }

    /// <summary>
    /// Reads the registration response; 401 and 403 (Okta and Keycloak refuse anonymous registration:
    /// https://developer.okta.com/docs/reference/api/oauth-clients/, https://www.keycloak.org/securing-apps/client-registration)
    /// become <see cref="McpAuthErrorCode.RegistrationFailed"/> with the hint that names the way around it.
    /// </summary>
    private static ClientRegistrationResponse ReadRegistration(OAuthResponse response, bool sentToken)
    {
        try
        {
            return ClientRegistration.Read(response);
        }
        catch (McpAuthException e) when (e.StatusCode is 401 or 403)
        {
            throw new McpAuthException(McpAuthErrorCode.RegistrationFailed, sentToken ? "initial access token refused" : "anonymous registration refused", e)
            {
                StatusCode = e.StatusCode,
                OAuthError = e.OAuthError,
                OAuthErrorDescription = e.OAuthErrorDescription,
                Endpoint = e.Endpoint,
                Hint = sentToken ? ProviderHints.RegistrationTokenRefused : ProviderHints.RegistrationRefused,
            };
        }
    }
}
