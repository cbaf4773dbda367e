using McpAuth.Protocol;
using static McpAuth.Tests.Protocol.ProtocolTestSupport;

namespace McpAuth.Tests.Protocol;

/// <summary>
/// The fixed failure matrix every <c>Read*</c> of a JSON response must pass: each case names a response and the code it
/// must be classified as. The response body text is never allowed into the message.
/// </summary>
internal static class ErrorMatrix
{
    public const string Secret = "sekrit-body-token";

    public static TheoryData<string> Names => new()
    {
        "oauth-error", "invalid-grant", "invalid-client", "http-200-error", "server-error-503", "rate-limited-429",
        "html-500", "not-json", "not-an-object", "wrong-content-type", "no-content-type", "empty-200",
    };

    public static (OAuthResponse Response, McpAuthErrorCode Code) Case(string name) => name switch
    {
        "oauth-error" => (Json(400, $$"""{"error":"invalid_request","error_description":"{{Secret}}"}"""), McpAuthErrorCode.OAuthError),
        "invalid-grant" => (Json(400, """{"error":"invalid_grant"}"""), McpAuthErrorCode.InvalidGrant),
        "invalid-client" => (Json(401, """{"error":"invalid_client"}"""), McpAuthErrorCode.InvalidClient),
        "http-200-error" => (Json(200, """{"ok":false,"error":"invalid_auth"}"""), McpAuthErrorCode.InvalidGrant),
        "server-error-503" => (Text(503, "text/plain", Secret, TimeSpan.FromSeconds(30)), McpAuthErrorCode.TemporarilyUnavailable),
        "rate-limited-429" => (Empty(429, retryAfter: TimeSpan.FromSeconds(7)), McpAuthErrorCode.TemporarilyUnavailable),
        "html-500" => (Text(500, "text/html", $"<html>{Secret}</html>"), McpAuthErrorCode.TemporarilyUnavailable),
        "not-json" => (Text(200, "application/json", $"not json {Secret}"), McpAuthErrorCode.InvalidResponse),
        "not-an-object" => (Json(200, $"""["{Secret}"]"""), McpAuthErrorCode.InvalidResponse),
        "wrong-content-type" => (Text(200, "text/html", $"<html>{Secret}</html>"), McpAuthErrorCode.InvalidResponse),
        "no-content-type" => (Empty(200), McpAuthErrorCode.InvalidResponse),
        "empty-200" => (Empty(200, "application/json"), McpAuthErrorCode.InvalidResponse),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>Runs <paramref name="read"/> on the named case and checks the classification.</summary>
    public static McpAuthException AssertClassified(string name, Action<OAuthResponse> read)
    {
        var (response, code) = Case(name);

        var error = Assert.Throws<McpAuthException>(() => read(response));

        Assert.Equal(code, error.Code);
        Assert.Equal(response.StatusCode, error.StatusCode);
        Assert.Equal(Endpoint, error.Endpoint);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        if (response.RetryAfter is { } retryAfter)
        {
            Assert.Equal(retryAfter, error.RetryAfter);
        }
        return error;
    }
}
