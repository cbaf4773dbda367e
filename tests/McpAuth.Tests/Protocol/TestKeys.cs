using System.Security.Cryptography;

namespace McpAuth.Tests.Protocol;

/// <summary>
/// RSA key generation costs up to a second on a busy machine: tests share one generated 2048-bit key, each getting
/// its own <see cref="RSA"/> object over it.
/// </summary>
internal static class TestKeys
{
    private static readonly Lazy<byte[]> Rsa2048Pkcs8 = new(() =>
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportPkcs8PrivateKey();
    });

    public static RSA NewRsa2048()
    {
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(Rsa2048Pkcs8.Value, out _);
        return rsa;
    }
}
