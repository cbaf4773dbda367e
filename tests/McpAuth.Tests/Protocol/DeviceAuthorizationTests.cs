using McpAuth.Protocol;
using static McpAuth.Tests.Protocol.ProtocolTestSupport;

namespace McpAuth.Tests.Protocol;

public sealed class DeviceAuthorizationTests
{
    private static readonly TimeSpan Five = TimeSpan.FromSeconds(5);

    [Fact]
    public void AuthorizationParametersCarryClientScopeAndResource()
    {
        var parameters = DeviceAuthorization.BuildParameters("1406020730", "example_scope", "https://mcp.example.com/mcp");

        Assert.Equal([new("client_id", "1406020730"), new("scope", "example_scope"), new("resource", "https://mcp.example.com/mcp")], parameters);
    }

    [Fact]
    public void AuthorizationParametersOmitWhatIsAbsent()
    {
        Assert.Empty(DeviceAuthorization.BuildParameters(null, null, null));
        Assert.Equal(["scope"], DeviceAuthorization.BuildParameters(null, "s", "").Select(p => p.Key));
    }

    [Fact]
    public void PollParametersCarryGrantTypeAndDeviceCode()
    {
        var parameters = DeviceAuthorization.BuildPollParameters("GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS", "1406020730");

        Assert.Equal(
            [
                new("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                new("device_code", "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS"),
                new("client_id", "1406020730"),
            ],
            parameters);
        Assert.Throws<ArgumentException>(() => DeviceAuthorization.BuildPollParameters("", null));
    }

    /// <summary>RFC 8628 §3.2 example response.</summary>
    [Fact]
    public void ReadsTheRfc8628ExampleResponse()
    {
        var response = Json(200, """
            {"device_code": "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS", "user_code": "WDJB-MJHT",
             "verification_uri": "https://example.com/device",
             "verification_uri_complete": "https://example.com/device?user_code=WDJB-MJHT",
             "expires_in": 1800, "interval": 5}
            """);

        var result = DeviceAuthorization.ReadResponse(response);

        Assert.Equal("GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS", result.DeviceCode);
        Assert.Equal("WDJB-MJHT", result.UserCode);
        Assert.Equal(new Uri("https://example.com/device"), result.VerificationUri);
        Assert.Equal(new Uri("https://example.com/device?user_code=WDJB-MJHT"), result.VerificationUriComplete);
        Assert.Equal(TimeSpan.FromMinutes(30), result.ExpiresIn);
        Assert.Equal(Five, result.Interval);
        Assert.DoesNotContain("GmRhmhcx", result.ToString(), StringComparison.Ordinal);
        Assert.Contains("WDJB-MJHT", result.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", 5)]
    [InlineData(""","interval":0""", 5)]
    [InlineData(""","interval":12""", 12)]
    public void IntervalDefaultsToFiveSeconds(string intervalMember, int expectedSeconds)
    {
        var response = Json(200, $$"""{"device_code":"d","user_code":"u","verification_uri":"https://e.example/d","expires_in":600{{intervalMember}}}""");

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), DeviceAuthorization.ReadResponse(response).Interval);
    }

    [Fact]
    public void AcceptsGoogleVerificationUrlSpelling()
    {
        var response = Json(200, """{"device_code":"d","user_code":"u","verification_url":"https://www.google.com/device","expires_in":1800}""");

        Assert.Equal(new Uri("https://www.google.com/device"), DeviceAuthorization.ReadResponse(response).VerificationUri);
    }

    [Theory]
    [InlineData("""{"user_code":"u","verification_uri":"https://e/d","expires_in":1}""", "device_code")]
    [InlineData("""{"device_code":"d","verification_uri":"https://e/d","expires_in":1}""", "user_code")]
    [InlineData("""{"device_code":"d","user_code":"u","expires_in":1}""", "verification_uri")]
    [InlineData("""{"device_code":"d","user_code":"u","verification_uri":"/relative","expires_in":1}""", "verification_uri")]
    [InlineData("""{"device_code":"d","user_code":"u","verification_uri":"javascript:alert(1)","expires_in":1}""", "verification_uri")]
    [InlineData("""{"device_code":"d","user_code":"u","verification_uri":"https://e/d","verification_uri_complete":"file:///etc/passwd","expires_in":1}""", "verification_uri_complete")]
    [InlineData("""{"device_code":"d","user_code":"u","verification_uri":"https://e/d"}""", "expires_in")]
    public void MissingRequiredMemberIsInvalidResponse(string json, string member)
    {
        var error = Assert.Throws<McpAuthException>(() => DeviceAuthorization.ReadResponse(Json(200, json)));

        Assert.Equal(McpAuthErrorCode.InvalidResponse, error.Code);
        Assert.Contains($"'{member}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ErrorMatrix.Names), MemberType = typeof(ErrorMatrix))]
    public void AuthorizationErrorMatrixIsClassified(string name)
    {
        ErrorMatrix.AssertClassified(name, response => DeviceAuthorization.ReadResponse(response));
    }

    [Fact]
    public void PollSuccessReturnsTheTokenResponse()
    {
        var result = DeviceAuthorization.ReadPollResponse(Json(200, """{"access_token":"at","token_type":"Bearer","expires_in":3600}"""), Five);

        var issued = Assert.IsType<DevicePollResult.Issued>(result);
        Assert.Equal("at", issued.TokenResponse.GetProperty("access_token").GetString());
    }

    [Fact]
    public void AuthorizationPendingKeepsTheInterval()
    {
        var result = DeviceAuthorization.ReadPollResponse(Json(400, """{"error":"authorization_pending"}"""), TimeSpan.FromSeconds(7));

        Assert.Equal(new DevicePollResult.Pending(TimeSpan.FromSeconds(7)), result);
    }

    /// <summary>RFC 8628 §3.5: slow_down adds 5 seconds to the interval for this and all later polls.</summary>
    [Fact]
    public void SlowDownAddsFiveSeconds()
    {
        var first = DeviceAuthorization.ReadPollResponse(Json(400, """{"error":"slow_down"}"""), Five);
        var second = DeviceAuthorization.ReadPollResponse(Json(400, """{"error":"slow_down"}"""), ((DevicePollResult.SlowDown)first).Interval);

        Assert.Equal(new DevicePollResult.SlowDown(TimeSpan.FromSeconds(10)), first);
        Assert.Equal(new DevicePollResult.SlowDown(TimeSpan.FromSeconds(15)), second);
    }

    [Theory]
    [InlineData("access_denied")]
    [InlineData("expired_token")]
    public void DeniedOrExpiredEndsTheFlow(string errorCode)
    {
        var response = Json(400, $$"""{"error":"{{errorCode}}","error_description":"user said no"}""");

        var error = Assert.Throws<McpAuthException>(() => DeviceAuthorization.ReadPollResponse(response, Five));

        Assert.Equal(McpAuthErrorCode.DeviceAuthorizationFailed, error.Code);
        Assert.Equal(errorCode, error.OAuthError);
        Assert.Equal("user said no", error.OAuthErrorDescription);
        Assert.Equal(400, error.StatusCode);
        Assert.Equal(Endpoint, error.Endpoint);
        Assert.DoesNotContain("user said no", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PollOutcomeInAnHttp200ErrorBodyIsRecognised()
    {
        var result = DeviceAuthorization.ReadPollResponse(Json(200, """{"error":"authorization_pending"}"""), Five);

        Assert.IsType<DevicePollResult.Pending>(result);
    }

    [Theory]
    [MemberData(nameof(ErrorMatrix.Names), MemberType = typeof(ErrorMatrix))]
    public void PollErrorMatrixIsClassified(string name)
    {
        ErrorMatrix.AssertClassified(name, response => DeviceAuthorization.ReadPollResponse(response, Five));
    }
}
