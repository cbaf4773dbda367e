using System.Security.Cryptography;
using McpAuth.Engine;

namespace McpAuth.Cli.Commands.Login;

/// <summary>
/// Reads the private key for <c>private_key_jwt</c> (RFC 7523 §2.2): a PKCS#8 PEM file only its owner can read
/// (mode 0600 or 0400 on Unix, refused otherwise, like ssh does), or the PEM in an environment variable. The key is a
/// secret: it is never remembered, printed or put in a message; only the file's path is remembered.
/// </summary>
public static class ClientKeySource
{
    /// <summary>The key in <paramref name="path"/>, with its algorithm.</summary>
    /// <exception cref="CliException">The file is missing, readable by others, or not a PKCS#8 RSA or EC private key.</exception>
    public static ClientKeyOptions FromFile(string path, string? algorithm)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Engine.OwnerOnlyFile.Refusal(path, "--client-key-file") is { } refusal)
        {
            throw new CliException(refusal);
        }
        return FromPem(File.ReadAllText(path), algorithm, "--client-key-file");
    }

    /// <summary>The key in the PEM text, with its algorithm (RS256 for RSA, ES256 for P-256 unless given).</summary>
    /// <exception cref="CliException">Not a PKCS#8 RSA or EC P-256 private key, or the algorithm does not fit it.</exception>
    public static ClientKeyOptions FromPem(string pem, string? algorithm, string flag)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (!pem.Contains("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new CliException($"{flag}: not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----).");
        }
        var keyType = KeyType(pem) ?? throw new CliException($"{flag}: not an RSA or EC P-256 private key.");
        var chosen = algorithm ?? (keyType == "RSA" ? "RS256" : "ES256");
        if ((chosen, keyType) is not (("RS256", "RSA") or ("ES256", "EC")))
        {
            throw new CliException($"--client-key-alg: {chosen} does not fit an {keyType} key (RS256 for RSA, ES256 for EC P-256).");
        }
        return new ClientKeyOptions(pem, chosen);
    }

    private static string? KeyType(string pem)
    {
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return "RSA";
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
        }
        try
        {
            using var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return ec.KeySize == 256 ? "EC" : null;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return null;
        }
    }
}
