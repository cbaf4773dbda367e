using System.CommandLine;
using McpAuth.Engine;
using McpAuth.Protocol;

namespace McpAuth.Cli.Commands.Login;

/// <summary>
/// The flags for provider quirks (docs/providers.md) that <c>login</c> takes, and any verb that can log in (the proxy)
/// can add: their symbols and their parse step into <see cref="LoginSettings"/> and the secrets beside them.
/// </summary>
public sealed class ProviderFlags
{
    private static readonly string[] AuthMethods =
        [ClientAuthentication.ClientSecretBasic, ClientAuthentication.ClientSecretPost, ClientAuthentication.None, ClientAuthentication.PrivateKeyJwt];

    private readonly Option<string?> _resource = new("--resource")
    {
        Description = "Send this RFC 8707 resource instead of the discovered one", HelpName = "url",
    };
    private readonly Option<bool> _noResource = new("--no-resource", "--disable-resource-parameter")
    {
        Description = "Send no resource parameter at all, on login and every refresh (Microsoft Entra ID)",
    };
    private readonly Option<string[]> _authorizeParam = new("--authorize-param")
    {
        Description = "Add name=value to the authorization request (repeatable), e.g. access_type=offline for Google",
        HelpName = "name=value",
        AllowMultipleArgumentsPerToken = false,
    };
    private readonly Option<string?> _audience = new("--audience") { Description = "Send this audience (Auth0's API identifier)", HelpName = "value" };
    private readonly Option<string?> _tokenAuthMethod = new("--token-auth-method")
    {
        Description = "Client authentication at the token endpoint: " + string.Join('|', AuthMethods), HelpName = "method",
    };
    private readonly Option<bool> _assumePkce = new("--assume-pkce")
    {
        Description = "Use PKCE S256 though the server's metadata lists no methods (Entra ID); only for a server you trust",
    };
    private readonly Option<string?> _trustedIssuer = new("--trusted-issuer")
    {
        Description = "Also accept this issuer spelling (exactly as the metadata says it); only for a server you trust",
        HelpName = "url",
    };
    private readonly SecretInput _registrationToken = new("registration-token", "the RFC 7591 initial access token", "Registration token");
    private readonly Option<bool> _newRegistration = new("--new-registration")
    {
        Description = "Register a new client even if one is stored (the server forgot the old one)",
    };
    private readonly Option<string?> _clientKeyFile = new("--client-key-file")
    {
        Description = "PKCS#8 PEM private key for private_key_jwt (mode 0600 or 0400)", HelpName = "path",
    };
    private readonly Option<string?> _clientKeyEnv = new("--client-key-env")
    {
        Description = "Read the private_key_jwt PEM key from this environment variable", HelpName = "VAR",
    };
    private readonly Option<string?> _clientKeyAlg = new("--client-key-alg")
    {
        Description = "RS256 or ES256 (default: by the key's type)", HelpName = "alg",
    };

    /// <summary>The secret inputs, for <see cref="SecretInput.CheckAll"/>.</summary>
    public SecretInput RegistrationToken => _registrationToken;

    /// <summary>The options to add to the verb.</summary>
    public IEnumerable<Option> Options =>
        _registrationToken.Options.Concat(
        [
            _resource, _noResource, _authorizeParam, _audience, _tokenAuthMethod, _assumePkce, _trustedIssuer, _newRegistration,
            _clientKeyFile, _clientKeyEnv, _clientKeyAlg,
        ]);

    /// <summary>The parse step: the settings given, the registration token and the key.</summary>
    /// <exception cref="CliException">A value is invalid; the message names the flag.</exception>
    public (LoginSettings Settings, string? RegistrationToken, bool NewRegistration, ClientKeyOptions? Key) Parse(
        ParseResult result, CliContext cli, string? clientId, bool hasSecret, Func<string?>? prompt = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(cli);
        var method = ParseMethod(result.GetValue(_tokenAuthMethod), clientId);
        var (keyFile, key) = ParseKey(result, cli);
        CheckMethodFits(method, hasSecret, key is not null, clientId);
        var settings = new LoginSettings
        {
            ClientId = clientId,
            HasClientSecret = clientId is null ? null : hasSecret,
            TokenAuthMethod = method,
            Resource = ParseResource(result.GetValue(_resource), result.GetValue(_noResource)),
            OmitResource = result.GetValue(_noResource) ? true : null,
            AuthorizeParameters = ParseParameters(result.GetValue(_authorizeParam)),
            Audience = NonEmpty(result.GetValue(_audience), "--audience"),
            AssumePkce = result.GetValue(_assumePkce) ? true : null,
            TrustedIssuer = ParseIssuer(result.GetValue(_trustedIssuer)),
            ClientKeyFile = keyFile is null ? null : Path.GetFullPath(keyFile),
            ClientKeyEnv = result.GetValue(_clientKeyEnv),
            ClientKeyAlgorithm = result.GetValue(_clientKeyAlg),
        };
        return (settings, _registrationToken.Read(result, cli, prompt), result.GetValue(_newRegistration), key);
    }

    private static string? ParseMethod(string? method, string? clientId)
    {
        if (method is null)
        {
            return null;
        }
        if (!AuthMethods.Contains(method, StringComparer.Ordinal))
        {
            throw new CliException($"--token-auth-method must be one of {string.Join(", ", AuthMethods)}.");
        }
        return clientId is null ? throw new CliException("--token-auth-method needs --client-id (a pre-registered client).") : method;
    }

    private static void CheckMethodFits(string? method, bool hasSecret, bool hasKey, string? clientId)
    {
        if (hasKey && clientId is null)
        {
            throw new CliException("A client key (--client-key-file, --client-key-env) needs --client-id.");
        }
        switch (method)
        {
            case ClientAuthentication.ClientSecretBasic or ClientAuthentication.ClientSecretPost when !hasSecret:
                throw new CliException($"--token-auth-method {method} needs the client secret (--client-secret-env VAR or --ask-client-secret).");
            case ClientAuthentication.PrivateKeyJwt when !hasKey:
                throw new CliException("--token-auth-method private_key_jwt needs a key: --client-key-file PATH or --client-key-env VAR.");
        }
    }

    private (string? File, ClientKeyOptions? Key) ParseKey(ParseResult result, CliContext cli)
    {
        var (file, variable, alg) = (result.GetValue(_clientKeyFile), result.GetValue(_clientKeyEnv), result.GetValue(_clientKeyAlg));
        if (alg is not null and not ("RS256" or "ES256"))
        {
            throw new CliException("--client-key-alg must be RS256 or ES256.");
        }
        if (file is not null && variable is not null)
        {
            throw new CliException("Give the client key one way: --client-key-file PATH or --client-key-env VAR.");
        }
        if (file is not null)
        {
            return (file, ClientKeySource.FromFile(file, alg));
        }
        if (variable is not null)
        {
            var pem = cli.Environment(variable) is { Length: > 0 } value
                ? value
                : throw new CliException($"--client-key-env: the environment variable {variable} is not set or empty.");
            return (null, ClientKeySource.FromPem(pem, alg, "--client-key-env"));
        }
        return alg is null ? (null, null) : throw new CliException("--client-key-alg needs --client-key-file or --client-key-env.");
    }

    private static Uri? ParseResource(string? value, bool omit)
    {
        if (value is null)
        {
            return null;
        }
        if (omit)
        {
            throw new CliException("--resource and --no-resource exclude each other.");
        }
        // RFC 8707 §2: an absolute URI without a fragment.
        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Fragment.Length == 0
            ? uri
            : throw new CliException("--resource must be an absolute URI without a fragment.");
    }

    private static Dictionary<string, string>? ParseParameters(string[]? pairs)
    {
        if (pairs is not { Length: > 0 })
        {
            return null;
        }
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException("--authorize-param takes name=value, e.g. --authorize-param access_type=offline.");
            }
            var name = pair[..equals];
            if (AuthorizationRequest.ReservedParameters.Contains(name) || name == "audience")
            {
                throw new CliException($"--authorize-param: '{name}' is set by McpAuth itself{(name == "audience" ? "; use --audience" : "")}.");
            }
            parameters[name] = pair[(equals + 1)..];
        }
        return parameters;
    }

    private static string? ParseIssuer(string? value) =>
        value is null || (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http")
            ? value
            : throw new CliException("--trusted-issuer must be an http(s) URL, exactly as the server's metadata spells its issuer.");

    private static string? NonEmpty(string? value, string flag) =>
        value is { Length: 0 } ? throw new CliException($"{flag} must not be empty.") : value;
}
