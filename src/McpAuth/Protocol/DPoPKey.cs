using System.Security.Cryptography;
using System.Text;

namespace McpAuth.Protocol;

/// <summary>
/// A DPoP key pair (RFC 9449 §2): a P-256 key that signs DPoP proofs (ES256). Tokens issued to it are bound to its
/// <see cref="Thumbprint"/> (<c>cnf.jkt</c>, RFC 9449 §6), so it must be persisted as long as those tokens are:
/// <see cref="ToPrivateJwk"/> and <see cref="FromPrivateJwk"/>. One instance may sign proofs on several threads at once.
/// </summary>
public sealed class DPoPKey : IDisposable, IJwsSigner
{
    private readonly ECDsa _key;

    /// <summary>.NET does not promise that one key object signs safely on several threads at once.</summary>
    private readonly Lock _signing = new();
    private readonly byte[] _publicJwk;

    private DPoPKey(ECDsa key)
    {
        _key = key;
        var parameters = key.ExportParameters(includePrivateParameters: false);
        _publicJwk = Jws.WriteObject(writer => Jwk.WriteEcPublicMembers(writer, parameters));
        PublicJwk = Encoding.UTF8.GetString(_publicJwk);
        Thumbprint = Jwk.EcThumbprint(parameters);
    }

    /// <summary>The proof algorithm: <c>ES256</c>.</summary>
    public string Algorithm => Jws.ES256;

    /// <summary>
    /// The public key as a JWK with exactly the required members <c>crv</c>, <c>kty</c>, <c>x</c>, <c>y</c>
    /// (RFC 9449 §4.2: the <c>jwk</c> header must not contain a private key).
    /// </summary>
    public string PublicJwk { get; }

    /// <summary>The RFC 7638 JWK SHA-256 thumbprint, base64url: the <c>dpop_jkt</c> / <c>cnf.jkt</c> value.</summary>
    public string Thumbprint { get; }

    /// <summary>Generates a new P-256 key.</summary>
    public static DPoPKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Loads a key saved with <see cref="ToPrivateJwk"/> (an EC P-256 private JWK, RFC 7518 §6.2.2).</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.InvalidConfiguration"/> when the JWK is not a valid P-256 private key; the message
    /// names the member at fault, never its value.
    /// </exception>
    public static DPoPKey FromPrivateJwk(string jwk)
    {
        ArgumentNullException.ThrowIfNull(jwk);
        var parameters = Jwk.ReadEcPrivate(jwk);
        var key = ECDsa.Create();
        try
        {
            // ImportParameters checks that the point is on the curve and matches d.
            key.ImportParameters(parameters);
            return new DPoPKey(key);
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, "the private JWK is not a valid P-256 key", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
        }
    }

    /// <summary>The private key as an EC JWK (<c>crv</c>, <c>d</c>, <c>kty</c>, <c>x</c>, <c>y</c>). Secret: store it like a token.</summary>
    public string ToPrivateJwk()
    {
        ECParameters parameters;
        lock (_signing)
        {
            parameters = _key.ExportParameters(includePrivateParameters: true);
        }
        try
        {
            return Encoding.UTF8.GetString(Jws.WriteObject(writer =>
            {
                writer.WriteString("crv", Jwk.CurveP256);
                writer.WriteString("d", Jws.Base64UrlEncode(parameters.D));
                writer.WriteString("kty", "EC");
                writer.WriteString("x", Jws.Base64UrlEncode(parameters.Q.X));
                writer.WriteString("y", Jws.Base64UrlEncode(parameters.Q.Y));
            }));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
        }
    }

    /// <summary>Creates a DPoP proof for one request; see <see cref="DPoPProof.Create"/>.</summary>
    /// <exception cref="ArgumentException">An empty method or a relative target.</exception>
    public string CreateProof(string httpMethod, Uri target, DateTimeOffset now, string? nonce = null, string? accessToken = null) =>
        DPoPProof.Create(this, httpMethod, target, now, nonce, accessToken);

    /// <summary>The public JWK as UTF-8 JSON, for the proof header.</summary>
    internal ReadOnlySpan<byte> PublicJwkUtf8 => _publicJwk;

    byte[] IJwsSigner.Sign(ReadOnlySpan<byte> signingInput)
    {
        lock (_signing)
        {
            return Jws.SignEs256(_key, signingInput);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _key.Dispose();
}
