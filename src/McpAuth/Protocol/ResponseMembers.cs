using System.Text.Json;

namespace McpAuth.Protocol;

/// <summary>
/// Reading the members of a successful response: <see cref="OAuthJson"/> errors gain the response's status and
/// endpoint, and durations in seconds become <see cref="TimeSpan"/>s.
/// </summary>
internal static class ResponseMembers
{
    /// <summary>Durations beyond this (about 68 years) are clamped: some servers send huge values for "never".</summary>
    private const long MaxSeconds = int.MaxValue;

    /// <summary>Runs <paramref name="read"/>; a member error becomes an error about <paramref name="response"/>.</summary>
    public static T Read<T>(OAuthResponse response, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (McpAuthException e) when (e.StatusCode is null && e.Endpoint is null)
        {
            throw new McpAuthException(e.Code, e.Detail, e.InnerException)
            {
                StatusCode = response.StatusCode,
                Endpoint = response.Endpoint,
                Hint = e.Hint,
            };
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/>; when <paramref name="lenient"/>, a malformed member
    /// (<see cref="McpAuthErrorCode.InvalidResponse"/>) reads as absent instead of failing the whole response.
    /// </summary>
    public static T? Lenient<T>(bool lenient, Func<T?> read)
    {
        try
        {
            return read();
        }
        catch (McpAuthException e) when (lenient && e.Code == McpAuthErrorCode.InvalidResponse)
        {
            return default;
        }
    }

    /// <summary>A non-negative number of seconds (RFC 6749 §5.1 <c>expires_in</c> and the like).</summary>
    public static TimeSpan? OptionalSeconds(JsonElement json, string name)
    {
        var seconds = OAuthJson.OptionalInt64(json, name);
        return seconds switch
        {
            null => null,
            < 0 => throw new McpAuthException(McpAuthErrorCode.InvalidResponse, $"member '{name}' must not be negative"),
            _ => TimeSpan.FromSeconds(Math.Min(seconds.Value, MaxSeconds)),
        };
    }

    /// <summary>A JWT NumericDate member (RFC 7519 §2), e.g. <c>exp</c> in introspection.</summary>
    public static DateTimeOffset? OptionalNumericDate(JsonElement json, string name)
    {
        var seconds = OAuthJson.OptionalInt64(json, name);
        if (seconds is null)
        {
            return null;
        }
        try
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds.Value);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidResponse, $"member '{name}' is not a valid date");
        }
    }
}
