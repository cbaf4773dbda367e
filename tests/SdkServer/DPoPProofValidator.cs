using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace McpAuth.Tests.SdkServer;

/// <summary>What checking one DPoP proof found: the thumbprint of its key, or why it was refused.</summary>
/// <param name="Thumbprint">The RFC 7638 thumbprint of the proof's public key (compared with the token's <c>cnf.jkt</c>).</param>
/// <param name="Error">Why the proof was refused; null when it was accepted.</param>
internal sealed record DPoPCheck(string? Thumbprint, string? Error)
{
    public static DPoPCheck Refused(string error) => new(null, error);
}

/// <summary>
/// A resource server's check of the DPoP proof that comes with a DPoP-bound access token (RFC 9449 §4.3, §7.1), as a
/// server that requires DPoP-bound tokens does it: one <c>dpop+jwt</c> signed with ES256 by the P-256 public key in its
/// header, <c>htm</c> and <c>htu</c> naming this request, <c>iat</c> within a minute of now, a <c>jti</c> never seen
/// before in that window, and <c>ath</c> the hash of the access token presented. The caller then compares the key's
/// thumbprint with the token's <c>cnf.jkt</c> (RFC 9449 §6.1). Test-server code, independent of McpAuth's own DPoP code.
/// </summary>
internal sealed class DPoPProofValidator(TimeProvider time)
{
    /// <summary>How far a proof's <c>iat</c> may be from now, either way; seen <c>jti</c> values are kept as long.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    public DPoPCheck Check(string proof, string method, Uri target, string accessToken)
    {
        var parts = proof.Split('.');
        if (parts.Length != 3)
        {
            return DPoPCheck.Refused("not a compact JWS");
        }
        try
        {
            using var header = JsonDocument.Parse(Base64UrlDecode(parts[0]));
            using var payload = JsonDocument.Parse(Base64UrlDecode(parts[1]));
            if (CheckHeader(header.RootElement, out var jwk, out var key) is { } headerError)
            {
                return DPoPCheck.Refused(headerError);
            }
            if (!VerifySignature(key!, parts))
            {
                return DPoPCheck.Refused("bad signature");
            }
            return CheckClaims(payload.RootElement, method, target, accessToken) is { } claimsError
                ? DPoPCheck.Refused(claimsError)
                : new DPoPCheck(Thumbprint(jwk), null);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or CryptographicException)
        {
            return DPoPCheck.Refused("malformed proof: " + e.GetType().Name);
        }
    }

    private static string? CheckHeader(JsonElement header, out JsonElement jwk, out ECDsa? key)
    {
        key = null;
        jwk = default;
        if (header.GetProperty("typ").GetString() != "dpop+jwt")
        {
            return "typ is not dpop+jwt";
        }
        if (header.GetProperty("alg").GetString() != "ES256")
        {
            return "alg is not ES256";
        }
        jwk = header.GetProperty("jwk");
        if (jwk.TryGetProperty("d", out _) || jwk.GetProperty("kty").GetString() != "EC" || jwk.GetProperty("crv").GetString() != "P-256")
        {
            return "jwk is not a public P-256 key";
        }
        key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64UrlDecode(jwk.GetProperty("x").GetString()!), Y = Base64UrlDecode(jwk.GetProperty("y").GetString()!) },
        });
        return null;
    }

    private static bool VerifySignature(ECDsa key, string[] parts)
    {
        using (key)
        {
            return key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64UrlDecode(parts[2]),
                HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
    }

    private string? CheckClaims(JsonElement payload, string method, Uri target, string accessToken)
    {
        if (payload.GetProperty("htm").GetString() != method)
        {
            return "htm is not the request's method";
        }
        if (!Uri.TryCreate(payload.GetProperty("htu").GetString(), UriKind.Absolute, out var htu)
            || htu.GetLeftPart(UriPartial.Path) != target.GetLeftPart(UriPartial.Path))
        {
            return "htu is not the request's URL";
        }
        var ath = payload.TryGetProperty("ath", out var hash) ? hash.GetString() : null;
        if (ath != Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken))))
        {
            return "ath is not the hash of the access token";
        }
        var now = time.GetUtcNow();
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(payload.GetProperty("iat").GetInt64());
        if ((issuedAt - now).Duration() > Window)
        {
            return "iat is not recent";
        }
        var jti = payload.GetProperty("jti").GetString();
        if (string.IsNullOrEmpty(jti))
        {
            return "no jti";
        }
        foreach (var old in _seen.Where(e => e.Value < now - Window).Select(e => e.Key).ToList())
        {
            _seen.TryRemove(old, out _);
        }
        return _seen.TryAdd(jti, issuedAt) ? null : "jti replayed";
    }

    /// <summary>RFC 7638 §3.2: the SHA-256 of the required members, in lexicographic order, without whitespace.</summary>
    private static string Thumbprint(JsonElement jwk)
    {
        var canonical = $$"""{"crv":"P-256","kty":"EC","x":"{{jwk.GetProperty("x").GetString()}}","y":"{{jwk.GetProperty("y").GetString()}}"}""";
        return Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Base64UrlDecode(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }
}
