using McpAuth.Engine;
using McpAuth.Protocol;

namespace McpAuth.Tests.Orchestration;

/// <summary><see cref="McpAuthClient.AuthorizeWithDeviceCodeAsync"/> (RFC 8628) against the recording fake.</summary>
public class DeviceCodeFlowTests
{
    private const string DeviceEndpoint = "https://as.example.com/device";
    private const string TokenEndpoint = "https://as.example.com/token";
    private static readonly Uri Server = new(OAuthWorld.Server);

    private readonly OAuthWorld _world = new(asMetadataExtra: $$""","device_authorization_endpoint":"{{DeviceEndpoint}}" """);
    private readonly FastClock _clock = new();
    private readonly List<DeviceAuthorizationResponse> _shown = [];

    public DeviceCodeFlowTests() =>
        _world.Http.OnJson("POST", DeviceEndpoint, """
            {"device_code":"dc-1","user_code":"WDJB-MJHT","verification_uri":"https://as.example.com/device",
             "verification_uri_complete":"https://as.example.com/device?user_code=WDJB-MJHT","expires_in":600,"interval":5}
            """);

    private McpAuthClient Client() => new(new McpAuthOptions(), _world.Vault, new HttpClient(_world.Http), _clock);

    private Task<AccessToken> AuthorizeAsync() => Client().AuthorizeWithDeviceCodeAsync(Server, (device, _) =>
    {
        _shown.Add(device);
        return Task.CompletedTask;
    }, default);

    private void TokenAnswers(params string[] answers)
    {
        var next = 0;
        _world.Http.On("POST", TokenEndpoint, _ =>
        {
            var answer = answers[Math.Min(next++, answers.Length - 1)];
            return answer.StartsWith('{') ? FakeHttp.Json(answer) : FakeHttp.Json($$"""{"error":"{{answer}}"}""", 400);
        });
    }

    [Fact]
    public async Task Pending_then_slow_down_then_issued_polls_at_the_interval_plus_five_seconds_and_stores_the_credential()
    {
        TokenAnswers("authorization_pending", "slow_down", """{"access_token":"device-at","token_type":"Bearer","expires_in":3600}""");

        var token = await AuthorizeAsync();

        Assert.Equal("device-at", token.Value);
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)], _clock.Delays);
        Assert.Equal("WDJB-MJHT", Assert.Single(_shown).UserCode);
        var request = Assert.Single(_world.Http.Requests, r => r.Key == $"POST {DeviceEndpoint}").Form();
        Assert.Equal(("mcp:basic", "https://mcp.example.com/mcp"), (request["scope"], request["resource"]));
        Assert.StartsWith("client-1", request["client_id"], StringComparison.Ordinal);
        var polls = _world.Http.Requests.Where(r => r.Key == $"POST {TokenEndpoint}").Select(r => r.Form()).ToList();
        Assert.Equal(3, polls.Count);
        Assert.All(polls, p => Assert.Equal((DeviceAuthorization.GrantType, "dc-1"), (p["grant_type"], p["device_code"])));
        var registration = Assert.Single(_world.Http.Requests, r => r.Key == "POST https://as.example.com/register").Body!;
        Assert.Contains(DeviceAuthorization.GrantType, registration, StringComparison.Ordinal);
        var before = _world.Http.Requests.Count;
        Assert.Equal("device-at", (await Client().GetAccessTokenAsync(Server, default)).Value);
        Assert.Equal(before, _world.Http.Requests.Count);
    }

    [Theory]
    [InlineData("access_denied")]
    [InlineData("expired_token")]
    public async Task Denied_or_expired_stops_with_a_typed_error_and_stores_nothing(string error)
    {
        TokenAnswers("authorization_pending", error);

        var e = await Assert.ThrowsAsync<McpAuthException>(AuthorizeAsync);

        Assert.Equal(McpAuthErrorCode.DeviceAuthorizationFailed, e.Code);
        Assert.Equal(error, e.OAuthError);
        Assert.Equal(2, _world.Http.Requests.Count(r => r.Key == $"POST {TokenEndpoint}"));
        await Assert.ThrowsAsync<McpAuthException>(() => Client().GetAccessTokenAsync(Server, default));
    }

    [Fact]
    public async Task The_codes_lifetime_ends_the_polling_when_the_server_never_answers()
    {
        TokenAnswers("authorization_pending");

        var e = await Assert.ThrowsAsync<McpAuthException>(AuthorizeAsync);

        Assert.Equal(McpAuthErrorCode.DeviceAuthorizationFailed, e.Code);
        Assert.Equal(120, _world.Http.Requests.Count(r => r.Key == $"POST {TokenEndpoint}"));
    }

    [Fact]
    public async Task A_server_without_a_device_endpoint_gets_a_clear_error_before_any_registration()
    {
        var world = new OAuthWorld();
        var client = new McpAuthClient(new McpAuthOptions(), world.Vault, new HttpClient(world.Http), _clock);

        var e = await Assert.ThrowsAsync<McpAuthException>(() =>
            client.AuthorizeWithDeviceCodeAsync(Server, (_, _) => Task.CompletedTask, default));

        Assert.Equal(McpAuthErrorCode.DeviceAuthorizationNotSupported, e.Code);
        Assert.Equal(0, world.Registrations);
    }

    [Fact]
    public async Task Cancellation_while_polling_passes_through()
    {
        TokenAnswers("authorization_pending");
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client().AuthorizeWithDeviceCodeAsync(Server, async (_, _) =>
            await cancel.CancelAsync(), cancel.Token));

        Assert.Equal(0, _world.Http.Requests.Count(r => r.Key == $"POST {TokenEndpoint}"));
    }

    /// <summary>Timers fire at once and move the clock by their due time; <see cref="Delays"/> records each.</summary>
    private sealed class FastClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

        public List<TimeSpan> Delays { get; } = [];

        public override DateTimeOffset GetUtcNow()
        {
            lock (Delays)
            {
                return _now;
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
            {
                lock (Delays)
                {
                    Delays.Add(dueTime);
                    _now += dueTime;
                }
                dueTime = TimeSpan.Zero;
            }
            return System.CreateTimer(callback, state, dueTime, period);
        }
    }

    [Fact]
    public async Task With_a_dpop_server_the_polls_carry_proofs_the_nonce_it_asks_for_and_the_credential_is_bound()
    {
        var world = new OAuthWorld(asMetadataExtra:
            $$""","device_authorization_endpoint":"{{DeviceEndpoint}}","dpop_signing_alg_values_supported":["ES256"]""");
        world.Http.OnJson("POST", DeviceEndpoint, """
            {"device_code":"dc-1","user_code":"WDJB-MJHT","verification_uri":"https://as.example.com/device","expires_in":600,"interval":5}
            """);
        var polls = 0;
        world.Http.On("POST", TokenEndpoint, _ =>
        {
            polls++;
            if (polls == 1)
            {
                var response = FakeHttp.Json("""{"error":"use_dpop_nonce"}""", 400);
                response.Headers.TryAddWithoutValidation("DPoP-Nonce", "server-nonce");
                return response;
            }
            return FakeHttp.Json("""{"access_token":"bound-at","token_type":"DPoP","expires_in":3600}""");
        });
        var client = new McpAuthClient(new McpAuthOptions(), world.Vault, new HttpClient(world.Http), _clock);

        var token = await client.AuthorizeWithDeviceCodeAsync(Server, (_, _) => Task.CompletedTask, default);

        Assert.Equal("DPoP", token.TokenType);
        var proofs = world.Http.Requests.Where(r => r.Key == $"POST {TokenEndpoint}").Select(r => r.Headers["DPoP"]).ToList();
        Assert.Equal(2, proofs.Count);
        Assert.False(ProofPayload(proofs[0]).TryGetProperty("nonce", out _));
        Assert.Equal("server-nonce", ProofPayload(proofs[1]).GetProperty("nonce").GetString());
        var stored = Assert.Single((await world.Vault.ListCredentialsAsync(default)).Credentials);
        Assert.NotNull(stored.DPoPPrivateJwk);
    }

    private static System.Text.Json.JsonElement ProofPayload(string jwt) =>
        System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(Base64Padded(jwt.Split('.')[1]))).RootElement;

    private static string Base64Padded(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
    }
}
