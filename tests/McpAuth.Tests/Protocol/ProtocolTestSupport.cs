using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using McpAuth.Protocol;

namespace McpAuth.Tests.Protocol;

/// <summary>Builds <see cref="OAuthResponse"/> values and takes compact JWTs apart, for the protocol tests.</summary>
internal static class ProtocolTestSupport
{
    public static readonly Uri Endpoint = new("https://as.example.com/token");

    public static OAuthResponse Json(int status, string json, IReadOnlyList<string>? wwwAuthenticate = null,
        TimeSpan? retryAfter = null, string? dpopNonce = null) =>
        new(status, "application/json", Encoding.UTF8.GetBytes(json), Endpoint, wwwAuthenticate, retryAfter, dpopNonce);

    public static OAuthResponse Text(int status, string mediaType, string body, TimeSpan? retryAfter = null) =>
        new(status, mediaType, Encoding.UTF8.GetBytes(body), Endpoint, null, retryAfter);

    public static OAuthResponse Empty(int status, string? mediaType = null, TimeSpan? retryAfter = null) =>
        new(status, mediaType, ReadOnlyMemory<byte>.Empty, Endpoint, null, retryAfter);

    public static JsonElement Header(string jwt) => Part(jwt, 0);

    public static JsonElement Claims(string jwt) => Part(jwt, 1);

    public static byte[] Signature(string jwt) => Base64Url.DecodeFromChars(jwt.Split('.')[2]);

    public static byte[] SigningInput(string jwt) => Encoding.ASCII.GetBytes(jwt[..jwt.LastIndexOf('.')]);

    public static Dictionary<string, string> ToDictionary(IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        var names = parameters.Select(p => p.Key).ToList();
        Assert.Equal(names.Distinct().Count(), names.Count);
        return parameters.ToDictionary(p => p.Key, p => p.Value);
    }

    private static JsonElement Part(string jwt, int index)
    {
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[index]));
        return document.RootElement.Clone();
    }
}
