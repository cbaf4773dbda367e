using System.Security.Cryptography;
using System.Text;

namespace McpAuth.Protocol;

/// <summary>DPoP proof JWTs (RFC 9449 §4).</summary>
public static class DPoPProof
{
    /// <summary>The <c>typ</c> header of a DPoP proof (RFC 9449 §4.2).</summary>
    public const string Type = "dpop+jwt";

    /// <summary>The request header that carries the proof (RFC 9449 §4.1).</summary>
    public const string HeaderName = "DPoP";

    /// <summary>The authorization scheme of a DPoP-bound access token (RFC 9449 §7.1).</summary>
    public const string AuthorizationScheme = "DPoP";

    /// <summary>
    /// The authorization request parameter that binds the authorization code to the key's
    /// <see cref="DPoPKey.Thumbprint"/> (RFC 9449 §10).
    /// </summary>
    public const string AuthorizationRequestParameter = "dpop_jkt";

    /// <summary>The token type a server returns for a DPoP-bound token (RFC 9449 §5).</summary>
    public const string TokenType = "DPoP";

    /// <summary>
    /// Creates a proof (RFC 9449 §4.2). Header: <c>typ</c> <c>dpop+jwt</c>, <c>alg</c>, the public <c>jwk</c>.
    /// Claims: random <c>jti</c>, <c>htm</c>, <c>htu</c> (the target without query and fragment), <c>iat</c>,
    /// <c>nonce</c> when given (§8, §9), <c>ath</c> when presenting an access token to a resource (§7.1).
    /// </summary>
    /// <param name="key">The DPoP key.</param>
    /// <param name="httpMethod">The request method, e.g. <c>POST</c>.</param>
    /// <param name="target">The absolute request URL.</param>
    /// <param name="now">The current time.</param>
    /// <param name="nonce">The latest <c>DPoP-Nonce</c> the same server sent, if any.</param>
    /// <param name="accessToken">The access token the request carries, if any.</param>
    /// <exception cref="ArgumentException">An empty method or a relative target.</exception>
    public static string Create(DPoPKey key, string httpMethod, Uri target, DateTimeOffset now, string? nonce = null, string? accessToken = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(httpMethod);
        ArgumentNullException.ThrowIfNull(target);
        var htu = TargetUri(target);
        var jwk = key.PublicJwkUtf8.ToArray();
        return Jws.Create(
            key,
            header =>
            {
                header.WriteString("typ", Type);
                header.WritePropertyName("jwk");
                header.WriteRawValue(jwk, skipInputValidation: true);
            },
            claims =>
            {
                claims.WriteString("jti", Jws.NewJwtId());
                claims.WriteString("htm", httpMethod);
                claims.WriteString("htu", htu);
                claims.WriteNumber("iat", Jws.NumericDate(now));
                if (nonce is not null)
                {
                    claims.WriteString("nonce", nonce);
                }
                if (accessToken is not null)
                {
                    claims.WriteString("ath", AccessTokenHash(accessToken));
                }
            });
    }

    /// <summary>
    /// The <c>htu</c> value (RFC 9449 §4.2): the request URI without query and fragment.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="target"/> is not absolute.</exception>
    public static string TargetUri(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!target.IsAbsoluteUri)
        {
            throw new ArgumentException("The DPoP target must be an absolute URL.", nameof(target));
        }
        return target.GetLeftPart(UriPartial.Path);
    }

    /// <summary>
    /// The <c>ath</c> claim (RFC 9449 §4.2): base64url of the SHA-256 of the ASCII access token.
    /// </summary>
    public static string AccessTokenHash(string accessToken)
    {
        ArgumentNullException.ThrowIfNull(accessToken);
        return Jws.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));
    }
}
