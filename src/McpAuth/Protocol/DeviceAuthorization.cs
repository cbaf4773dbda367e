using System.Text;
using System.Text.Json;

namespace McpAuth.Protocol;

/// <summary>
/// An RFC 8628 §3.2 device authorization response. The device code is a secret: <see cref="ToString"/> hides it.
/// </summary>
/// <param name="DeviceCode">The code the client polls with.</param>
/// <param name="UserCode">The code the user enters at <paramref name="VerificationUri"/>.</param>
/// <param name="VerificationUri">Where the user goes.</param>
/// <param name="VerificationUriComplete">A URI that already carries the user code, when sent.</param>
/// <param name="ExpiresIn">Lifetime of the codes.</param>
/// <param name="Interval">The minimum time between polls (default 5 seconds).</param>
public sealed record DeviceAuthorizationResponse(
    string DeviceCode,
    string UserCode,
    Uri VerificationUri,
    Uri? VerificationUriComplete,
    TimeSpan ExpiresIn,
    TimeSpan Interval)
{
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("DeviceCode = ***, UserCode = ").Append(UserCode)
            .Append(", VerificationUri = ").Append(VerificationUri)
            .Append(", VerificationUriComplete = ").Append(VerificationUriComplete)
            .Append(", ExpiresIn = ").Append(ExpiresIn)
            .Append(", Interval = ").Append(Interval);
        return true;
    }
}

/// <summary>The outcome of one device access token poll (RFC 8628 §3.4, §3.5) that did not end the flow with an error.</summary>
public abstract record DevicePollResult
{
    private DevicePollResult()
    {
    }

    /// <summary>The token response arrived: read it as a token endpoint response.</summary>
    /// <param name="TokenResponse">The JSON object of the successful token response.</param>
    public sealed record Issued(JsonElement TokenResponse) : DevicePollResult;

    /// <summary><c>authorization_pending</c>: the user has not finished yet; poll again after <paramref name="Interval"/>.</summary>
    public sealed record Pending(TimeSpan Interval) : DevicePollResult;

    /// <summary><c>slow_down</c>: poll again after <paramref name="Interval"/>, already 5 seconds longer (RFC 8628 §3.5).</summary>
    public sealed record SlowDown(TimeSpan Interval) : DevicePollResult;
}

/// <summary>OAuth 2.0 Device Authorization Grant (RFC 8628): the pure request and response steps.</summary>
public static class DeviceAuthorization
{
    /// <summary>RFC 8628 §3.4 <c>grant_type</c> value.</summary>
    public const string GrantType = "urn:ietf:params:oauth:grant-type:device_code";

    /// <summary>The polling interval when the server sends none (RFC 8628 §3.2).</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    /// <summary>What <c>slow_down</c> adds to the interval (RFC 8628 §3.5).</summary>
    public static readonly TimeSpan SlowDownIncrement = TimeSpan.FromSeconds(5);

    private const string What = "device authorization response";
    private const string PollWhat = "device token response";

    /// <summary>
    /// The device authorization request parameters (RFC 8628 §3.1): <c>client_id</c> (omit it when the client
    /// authenticates with HTTP Basic), <c>scope</c> and <c>resource</c> (RFC 8707) when given.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> BuildParameters(string? clientId, string? scope, string? resource)
    {
        var parameters = new List<KeyValuePair<string, string>>(3);
        FormParameters.AddIfPresent(parameters, "client_id", clientId);
        FormParameters.AddIfPresent(parameters, "scope", scope);
        FormParameters.AddIfPresent(parameters, "resource", resource);
        return parameters;
    }

    /// <summary>
    /// The device access token request parameters (RFC 8628 §3.4): <c>grant_type</c>, <c>device_code</c>, and
    /// <c>client_id</c> when given.
    /// </summary>
    /// <exception cref="ArgumentException">An empty device code.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> BuildPollParameters(string deviceCode, string? clientId)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceCode);
        var parameters = new List<KeyValuePair<string, string>>(3)
        {
            new("grant_type", GrantType),
            new("device_code", deviceCode),
        };
        FormParameters.AddIfPresent(parameters, "client_id", clientId);
        return parameters;
    }

    /// <summary>
    /// Reads the device authorization response (RFC 8628 §3.2). <c>verification_url</c> is accepted for
    /// <c>verification_uri</c> (Google's spelling); both verification URIs must be http or https. An <c>interval</c>
    /// below one second is replaced by the default.
    /// </summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.InvalidResponse"/> for a missing required member or a non-JSON body; the classified
    /// code for an error response (§3.2 refers to RFC 6749 §5.2).
    /// </exception>
    public static DeviceAuthorizationResponse ReadResponse(OAuthResponse response)
    {
        var json = OAuthResponseReader.ReadJson(response, What);
        return ResponseMembers.Read(response, () => new DeviceAuthorizationResponse(
            OAuthJson.RequiredString(json, "device_code"),
            OAuthJson.RequiredString(json, "user_code"),
            WebUri(json, "verification_uri") ?? WebUri(json, "verification_url")
                ?? throw new McpAuthException(McpAuthErrorCode.InvalidResponse, "required member 'verification_uri' is missing"),
            WebUri(json, "verification_uri_complete"),
            ResponseMembers.OptionalSeconds(json, "expires_in")
                ?? throw new McpAuthException(McpAuthErrorCode.InvalidResponse, "required member 'expires_in' is missing"),
            ReadInterval(json)));
    }

    /// <summary>
    /// Reads one poll response (RFC 8628 §3.5): the token, <c>authorization_pending</c>, or <c>slow_down</c>.
    /// </summary>
    /// <param name="response">The token endpoint response.</param>
    /// <param name="interval">The interval in use; the result carries the next one.</param>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.DeviceAuthorizationFailed"/> for <c>access_denied</c> and <c>expired_token</c>
    /// (with <see cref="McpAuthException.OAuthError"/> set); any other error as the shared classifier types it.
    /// </exception>
    public static DevicePollResult ReadPollResponse(OAuthResponse response, TimeSpan interval)
    {
        try
        {
            return new DevicePollResult.Issued(OAuthResponseReader.ReadJson(response, PollWhat));
        }
        catch (McpAuthException e) when (e.OAuthError is "authorization_pending" or "slow_down" or "access_denied" or "expired_token")
        {
            return FromError(e, interval);
        }
    }

    private static DevicePollResult FromError(McpAuthException error, TimeSpan interval) => error.OAuthError switch
    {
        "authorization_pending" => new DevicePollResult.Pending(interval),
        "slow_down" => new DevicePollResult.SlowDown(interval + SlowDownIncrement),
        "access_denied" or "expired_token" => throw new McpAuthException(McpAuthErrorCode.DeviceAuthorizationFailed, error.OAuthError)
        {
            StatusCode = error.StatusCode,
            OAuthError = error.OAuthError,
            OAuthErrorDescription = error.OAuthErrorDescription,
            Endpoint = error.Endpoint,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(error), "unreachable: not a device flow error"),
    };

    /// <summary>
    /// A URL the user is sent to must be http or https: never <c>file:</c>, <c>javascript:</c> or a path (which
    /// <see cref="Uri"/> reads as <c>file:</c> on Unix).
    /// </summary>
    private static Uri? WebUri(JsonElement json, string name)
    {
        var uri = OAuthJson.OptionalUri(json, name);
        return uri is null || uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp
            ? uri
            : throw new McpAuthException(McpAuthErrorCode.InvalidResponse, $"member '{name}' must be an http or https URL");
    }

    private static TimeSpan ReadInterval(JsonElement json)
    {
        var interval = ResponseMembers.OptionalSeconds(json, "interval");
        return interval is { } value && value >= TimeSpan.FromSeconds(1) ? value : DefaultInterval;
    }
}
