using System.Security.Cryptography;
using System.Text.Json;

namespace McpAuth.Protocol;

/// <summary>
/// The private key a client signs its JWT client assertions with (RFC 7523 §2.2, <c>private_key_jwt</c> in
/// OpenID Connect Core §9). ES256 (P-256) or RS256 (RSA, 2048 bits or more, RFC 7518 §3.3). One instance may sign
/// on several threads at once.
/// </summary>
public sealed class ClientSigningKey : IDisposable, IJwsSigner
{
    private const int MinimumRsaKeySize = 2048;

    private static readonly string[] PrivateKeyLabels = ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"];

    private readonly AsymmetricAlgorithm _key;

    /// <summary>.NET does not promise that one key object signs safely on several threads at once.</summary>
    private readonly Lock _signing = new();

    private ClientSigningKey(AsymmetricAlgorithm key, string algorithm, string? keyId, string publicJwk)
    {
        _key = key;
        Algorithm = algorithm;
        KeyId = keyId;
        PublicJwk = publicJwk;
    }

    /// <summary>The RFC 7518 <c>alg</c>: <c>ES256</c> or <c>RS256</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The <c>kid</c> header of every assertion, when one was given.</summary>
    public string? KeyId { get; }

    /// <summary>
    /// The public key as a JWK (RFC 7517 §4) with <c>alg</c>, <c>use</c> <c>sig</c> and <c>kid</c> when set: what a
    /// client publishes in its <c>jwks</c> registration metadata (RFC 7591 §2).
    /// </summary>
    public string PublicJwk { get; }

    /// <summary>
    /// Loads a PEM private key: PKCS#8 <c>PRIVATE KEY</c> (also SEC 1 <c>EC PRIVATE KEY</c> and PKCS#1
    /// <c>RSA PRIVATE KEY</c>). Encrypted and public keys are refused.
    /// </summary>
    /// <param name="pem">The PEM text.</param>
    /// <param name="algorithm"><c>ES256</c> (needs a P-256 key) or <c>RS256</c> (needs an RSA key of 2048 bits or more).</param>
    /// <param name="keyId">The <c>kid</c> to put in assertion headers, if the authorization server needs one.</param>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.InvalidConfiguration"/> for an unsupported algorithm, a PEM that holds no private
    /// key, or a key that does not fit the algorithm. The message never contains key material.
    /// </exception>
    public static ClientSigningKey FromPkcs8Pem(string pem, string algorithm, string? keyId = null)
    {
        ArgumentNullException.ThrowIfNull(pem);
        ArgumentNullException.ThrowIfNull(algorithm);
        RequirePrivateKeyPem(pem);
        return algorithm switch
        {
            Jws.ES256 => Load(ECDsa.Create(), pem, Jws.ES256, keyId, CheckEcKey),
            Jws.RS256 => Load(RSA.Create(), pem, Jws.RS256, keyId, CheckRsaKey),
            _ => throw Invalid("signing algorithm must be ES256 or RS256"),
        };
    }

    byte[] IJwsSigner.Sign(ReadOnlySpan<byte> signingInput)
    {
        lock (_signing)
        {
            return _key switch
            {
                ECDsa ec => Jws.SignEs256(ec, signingInput),
                RSA rsa => Jws.SignRs256(rsa, signingInput),
                _ => throw new InvalidOperationException("unreachable: unknown key type"),
            };
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _key.Dispose();

    private static void RequirePrivateKeyPem(string pem)
    {
        if (!PemEncoding.TryFind(pem, out var fields))
        {
            throw Invalid("the signing key is not PEM text");
        }
        var label = pem.AsSpan()[fields.Label];
        foreach (var accepted in PrivateKeyLabels)
        {
            if (label.SequenceEqual(accepted))
            {
                return;
            }
        }
        throw Invalid("the signing key PEM must be an unencrypted private key (PRIVATE KEY)");
    }

    /// <summary>Imports <paramref name="pem"/> into <paramref name="key"/>, which it owns from then on.</summary>
    /// <param name="key">A new, empty key object.</param>
    /// <param name="pem">The PEM text.</param>
    /// <param name="algorithm">The JWS algorithm.</param>
    /// <param name="keyId">The <c>kid</c>.</param>
    /// <param name="check">Checks the imported key fits the algorithm and returns the writer of its public JWK members.</param>
    private static ClientSigningKey Load<TKey>(TKey key, string pem, string algorithm, string? keyId, Func<TKey, Action<Utf8JsonWriter>> check)
        where TKey : AsymmetricAlgorithm
    {
        try
        {
            key.ImportFromPem(pem);
            var publicJwk = PublicJwkJson(check(key), algorithm, keyId);
            return new ClientSigningKey(key, algorithm, keyId, publicJwk);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw Invalid($"the signing key is not a usable {KeyKind(key)} private key for {algorithm}", e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static Action<Utf8JsonWriter> CheckEcKey(ECDsa ec)
    {
        var parameters = ec.ExportParameters(includePrivateParameters: false);
        return Jwk.IsP256(parameters.Curve)
            ? writer => Jwk.WriteEcPublicMembers(writer, parameters)
            : throw Invalid("ES256 needs a P-256 key");
    }

    private static Action<Utf8JsonWriter> CheckRsaKey(RSA rsa)
    {
        if (rsa.KeySize < MinimumRsaKeySize)
        {
            throw Invalid("RS256 needs an RSA key of at least 2048 bits");
        }
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        return writer => Jwk.WriteRsaPublicMembers(writer, parameters);
    }

    private static string KeyKind(AsymmetricAlgorithm key) => key is RSA ? "RSA" : "EC";

    private static string PublicJwkJson(Action<Utf8JsonWriter> writeKey, string algorithm, string? keyId) =>
        System.Text.Encoding.UTF8.GetString(Jws.WriteObject(writer =>
        {
            writeKey(writer);
            writer.WriteString("alg", algorithm);
            writer.WriteString("use", "sig");
            if (keyId is not null)
            {
                writer.WriteString("kid", keyId);
            }
        }));

    private static McpAuthException Invalid(string detail, Exception? inner = null) =>
        new(McpAuthErrorCode.InvalidConfiguration, detail, inner);
}
