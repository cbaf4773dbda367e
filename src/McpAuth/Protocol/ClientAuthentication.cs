using System.Text;

namespace McpAuth.Protocol;

/// <summary>
/// Token endpoint client authentication methods (RFC 7591 §2 <c>token_endpoint_auth_method</c> values) and how each
/// puts the client's credentials on a request (RFC 6749 §2.3.1, RFC 7523 §2.2).
/// </summary>
public static class ClientAuthentication
{
    /// <summary>A public client: <c>client_id</c> in the body, no secret (RFC 7591 §2).</summary>
    public const string None = "none";
    /// <summary>HTTP Basic with the form-encoded id and secret (RFC 6749 §2.3.1).</summary>
    public const string ClientSecretBasic = "client_secret_basic";
    /// <summary>The id and secret in the request body (RFC 6749 §2.3.1).</summary>
    public const string ClientSecretPost = "client_secret_post";
    /// <summary>A signed client assertion (RFC 7523 §2.2, OIDC Core §9).</summary>
    public const string PrivateKeyJwt = Protocol.PrivateKeyJwt.AuthenticationMethod;

    /// <summary>
    /// The <c>Authorization</c> header value for <c>client_secret_basic</c>: id and secret each form-encoded
    /// (application/x-www-form-urlencoded, RFC 6749 §2.3.1 and Appendix B), joined by a colon, then base64.
    /// </summary>
    public static string BasicHeaderValue(string clientId, string clientSecret)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(clientSecret);
        var pair = FormEncode(clientId) + ":" + FormEncode(clientSecret);
        return "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(pair));
    }

    /// <summary>
    /// Adds the body parameters <paramref name="method"/> needs and returns the <c>Authorization</c> header value, if
    /// any. With <c>client_secret_basic</c> the client id is NOT repeated in the body (strict servers reject that).
    /// <c>private_key_jwt</c> needs an assertion built by the caller (<paramref name="clientAssertion"/>).
    /// </summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.InvalidConfiguration"/> when the method needs a secret or assertion that is missing, or is unknown.</exception>
    public static string? Apply(
        string method, string clientId, string? clientSecret, ICollection<KeyValuePair<string, string>> parameters,
        string? clientAssertion = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(parameters);
        switch (method)
        {
            case None:
                parameters.Add(new("client_id", clientId));
                return null;
            case ClientSecretBasic:
                return BasicHeaderValue(clientId, clientSecret ?? throw MissingSecret(method));
            case ClientSecretPost:
                parameters.Add(new("client_id", clientId));
                parameters.Add(new("client_secret", clientSecret ?? throw MissingSecret(method)));
                return null;
            case PrivateKeyJwt:
                parameters.Add(new("client_id", clientId));
                parameters.Add(new("client_assertion_type", Protocol.PrivateKeyJwt.AssertionType));
                parameters.Add(new("client_assertion", clientAssertion ?? throw MissingSecret(method)));
                return null;
            default:
                throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, "unsupported token_endpoint_auth_method");
        }
    }

    /// <summary>
    /// The method to use with a server that advertises <paramref name="supported"/> (RFC 8414 §2; absent means
    /// <c>client_secret_basic</c>), given whether the client has a secret. Null when none fits.
    /// </summary>
    public static string? Choose(IReadOnlyList<string>? supported, bool hasSecret)
    {
        supported ??= [ClientSecretBasic];
        string[] order = hasSecret ? [ClientSecretBasic, ClientSecretPost] : [None];
        return order.FirstOrDefault(m => supported.Contains(m, StringComparer.Ordinal));
    }

    /// <summary>application/x-www-form-urlencoded encoding of one value (RFC 6749 Appendix B).</summary>
    public static string FormEncode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '*' or '-' or '.' or '_')
            {
                builder.Append(c);
            }
            else if (c == ' ')
            {
                builder.Append('+');
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    private static McpAuthException MissingSecret(string method) =>
        new(McpAuthErrorCode.InvalidConfiguration, $"{method} needs a client secret or assertion");
}
