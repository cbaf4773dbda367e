using McpAuth.Engine;

namespace McpAuth.Cli.Commands.Login;

/// <summary>
/// The provider settings a login needed (docs/providers.md), none of them secret: what <c>login</c> remembers per
/// (server, profile) and every later engine for that server applies, so the user passes them once. A later login's
/// flags override them (<see cref="Merge"/>).
/// </summary>
public sealed record LoginSettings
{
    /// <summary>The pre-registered client id; null to reuse or create a registration.</summary>
    public string? ClientId { get; init; }
    /// <summary><c>client_secret_basic</c>, <c>client_secret_post</c>, <c>none</c> or <c>private_key_jwt</c>; null to choose.</summary>
    public string? TokenAuthMethod { get; init; }
    /// <summary>The RFC 8707 <c>resource</c> to send instead of the discovered one.</summary>
    public Uri? Resource { get; init; }
    /// <summary>Send no <c>resource</c> at all (Microsoft Entra ID).</summary>
    public bool? OmitResource { get; init; }
    /// <summary>Extra authorization request parameters (Google's <c>access_type=offline</c>).</summary>
    public IReadOnlyDictionary<string, string>? AuthorizeParameters { get; init; }
    /// <summary>The <c>audience</c> parameter (Auth0).</summary>
    public string? Audience { get; init; }
    /// <summary>Assume PKCE S256 when the metadata lists no methods (Microsoft Entra ID).</summary>
    public bool? AssumePkce { get; init; }
    /// <summary>An issuer accepted besides the one the metadata was found through.</summary>
    public string? TrustedIssuer { get; init; }
    /// <summary>The private_key_jwt key file (the path, never the key).</summary>
    public string? ClientKeyFile { get; init; }
    /// <summary>The environment variable that holds the private_key_jwt key (its name, never the key); read again by every later run.</summary>
    public string? ClientKeyEnv { get; init; }
    /// <summary>The private_key_jwt algorithm; null: by key type.</summary>
    public string? ClientKeyAlgorithm { get; init; }

    /// <summary>
    /// The callback port the last browser login used, for status only: <see cref="Coordination.CallbackPortMemory"/> owns
    /// it (the login binds it again), so it is never written with these settings nor merged.
    /// </summary>
    public int? CallbackPort { get; init; }

    /// <summary>Whether the pre-registered client has a secret (kept encrypted in the store, never here).</summary>
    public bool? HasClientSecret { get; init; }

    /// <summary>True when no setting is set.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => this == Empty;

    /// <summary>No settings.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public static LoginSettings Empty { get; } = new();

    /// <summary>These settings, with every setting <paramref name="newer"/> gives taking its place.</summary>
    public LoginSettings Merge(LoginSettings newer)
    {
        ArgumentNullException.ThrowIfNull(newer);
        var resourceChosen = newer.Resource is not null || newer.OmitResource is not null;
        return new LoginSettings
        {
            ClientId = newer.ClientId ?? ClientId,
            HasClientSecret = newer.ClientId is not null ? newer.HasClientSecret : HasClientSecret,
            TokenAuthMethod = newer.TokenAuthMethod ?? TokenAuthMethod,
            Resource = resourceChosen ? newer.Resource : Resource,
            OmitResource = resourceChosen ? newer.OmitResource : OmitResource,
            AuthorizeParameters = newer.AuthorizeParameters ?? AuthorizeParameters,
            Audience = newer.Audience ?? Audience,
            AssumePkce = newer.AssumePkce ?? AssumePkce,
            TrustedIssuer = newer.TrustedIssuer ?? TrustedIssuer,
            // A key given one way replaces a key remembered the other way.
            ClientKeyFile = newer.ClientKeyFile ?? (newer.ClientKeyEnv is null ? ClientKeyFile : null),
            ClientKeyEnv = newer.ClientKeyEnv ?? (newer.ClientKeyFile is null ? ClientKeyEnv : null),
            ClientKeyAlgorithm = newer.ClientKeyFile is not null || newer.ClientKeyEnv is not null
                ? newer.ClientKeyAlgorithm : newer.ClientKeyAlgorithm ?? ClientKeyAlgorithm,
        };
    }

    /// <summary>Sets the library's authorization options these settings name.</summary>
    public void ApplyTo(AuthorizationOptions authorization)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        authorization.Resource = Resource;
        authorization.OmitResource = OmitResource ?? false;
        authorization.Audience = Audience;
        authorization.AssumePkceS256 = AssumePkce ?? false;
        authorization.TrustedIssuer = TrustedIssuer;
        foreach (var (name, value) in AuthorizeParameters ?? new Dictionary<string, string>())
        {
            authorization.ExtraParameters[name] = value;
        }
    }

    /// <summary>The settings as "name value" lines for status, in flag names; nothing secret is kept here.</summary>
    public IEnumerable<(string Flag, string Value)> Describe()
    {
        if (ClientId is not null) yield return ("--client-id", ClientId);
        if (HasClientSecret == true) yield return ("client secret", "kept encrypted with the registration");
        if (TokenAuthMethod is not null) yield return ("--token-auth-method", TokenAuthMethod);
        if (OmitResource == true) yield return ("--no-resource", "yes");
        if (Resource is not null) yield return ("--resource", Resource.OriginalString);
        foreach (var (name, value) in AuthorizeParameters ?? new Dictionary<string, string>())
        {
            yield return ("--authorize-param", $"{name}={value}");
        }
        if (Audience is not null) yield return ("--audience", Audience);
        if (AssumePkce == true) yield return ("--assume-pkce", "yes");
        if (TrustedIssuer is not null) yield return ("--trusted-issuer", TrustedIssuer);
        if (ClientKeyFile is not null) yield return ("--client-key-file", ClientKeyFile);
        if (ClientKeyEnv is not null) yield return ("--client-key-env", ClientKeyEnv);
        if (ClientKeyAlgorithm is not null) yield return ("--client-key-alg", ClientKeyAlgorithm);
        if (CallbackPort is { } port) yield return ("--callback-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public bool Equals(LoginSettings? other) =>
        other is not null && ClientId == other.ClientId && HasClientSecret == other.HasClientSecret && TokenAuthMethod == other.TokenAuthMethod && Resource == other.Resource
        && OmitResource == other.OmitResource && Audience == other.Audience && AssumePkce == other.AssumePkce
        && TrustedIssuer == other.TrustedIssuer && ClientKeyFile == other.ClientKeyFile && ClientKeyEnv == other.ClientKeyEnv && ClientKeyAlgorithm == other.ClientKeyAlgorithm && CallbackPort == other.CallbackPort
        && (AuthorizeParameters ?? Empty0).OrderBy(p => p.Key, StringComparer.Ordinal)
            .SequenceEqual((other.AuthorizeParameters ?? Empty0).OrderBy(p => p.Key, StringComparer.Ordinal));

    public override int GetHashCode() => HashCode.Combine(ClientId, TokenAuthMethod, Resource, Audience, TrustedIssuer, ClientKeyFile);

    private static readonly IReadOnlyDictionary<string, string> Empty0 = new Dictionary<string, string>();
}
