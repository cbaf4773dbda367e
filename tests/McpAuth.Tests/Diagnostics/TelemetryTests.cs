using System.Diagnostics;
using McpAuth.Diagnostics;
using McpAuth.Engine;
using McpAuth.Tests.Orchestration;
using McpAuth.Tests.Refresh;

namespace McpAuth.Tests.Diagnostics;

/// <summary>Every OAuth step has its span and the counters and histograms move; names are the documented ones.</summary>
public sealed class TelemetryTests : IDisposable
{
    private static readonly Uri Server = new(OAuthWorld.Server);

    // An engine with a meter factory has its own source and meter: what one test's recorder hears is that test's only.
    private TestMeterFactory Meters { get; } = new();

    public void Dispose() => Meters.Dispose();

    [Fact]
    public void Engines_without_a_meter_factory_share_one_source_and_meter_and_one_with_a_factory_has_its_own()
    {
        var world = new OAuthWorld();
        var first = world.Client().Telemetry;
        var second = world.Client().Telemetry;
        var own = world.Client(meterFactory: Meters).Telemetry;

        Assert.Same(first.Source, second.Source);
        Assert.Same(first.Meter, second.Meter);
        Assert.NotSame(first.Source, own.Source);
        Assert.NotSame(first.Meter, own.Meter);
        Assert.Same(Meters.Created.Single(), own.Meter);
        second.Dispose(); // an engine's end leaves the shared ones to the others
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => ReferenceEquals(source, first.Source),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
        };
        ActivitySource.AddActivityListener(listener);
        using var span = first.Source.StartActivity("probe");
        Assert.NotNull(span); // a disposed source has no listeners and starts nothing
    }

    [Fact]
    public async Task An_authorization_emits_a_span_per_step_and_counts_one_authorization()
    {
        var world = new OAuthWorld();
        var client = world.Client(meterFactory: Meters);
        using var recorder = new TelemetryRecorder(client);

        await client.AuthorizeAsync(Server, world.Interaction, default);

        Assert.Equal(
            [McpAuthTelemetryNames.AuthorizationSpan, McpAuthTelemetryNames.DiscoverySpan, McpAuthTelemetryNames.RegistrationSpan, McpAuthTelemetryNames.TokenSpan],
            recorder.SpanNames);
        var authorization = recorder.Spans.Single(s => s.OperationName == McpAuthTelemetryNames.AuthorizationSpan);
        Assert.Equal(ActivityStatusCode.Ok, authorization.Status);
        Assert.All(recorder.Spans.Where(s => s != authorization), s => Assert.Equal(authorization.SpanId, s.ParentSpanId));
        Assert.Equal(1, recorder.Sum(McpAuthTelemetryNames.Authorizations, McpAuthTelemetryNames.GrantTag, nameof(McpAuthGrant.AuthorizationCode)));
        Assert.Equal(1, recorder.Count(McpAuthTelemetryNames.AuthorizationDuration));
        Assert.Equal(0, recorder.Count(McpAuthTelemetryNames.Failures));
        Assert.DoesNotContain(recorder.Spans.SelectMany(s => s.Tags), t => t.Value?.Contains("at-1", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_failed_step_is_counted_by_step_and_stable_reason_code()
    {
        var world = new OAuthWorld();
        world.Http.OnJson("POST", "https://as.example.com/token", """{"error":"invalid_client"}""", 401);
        var client = world.Client(meterFactory: Meters);
        using var recorder = new TelemetryRecorder(client);

        await Assert.ThrowsAsync<McpAuthException>(() => client.AuthorizeAsync(Server, world.Interaction, default));

        Assert.Equal(1, recorder.Sum(McpAuthTelemetryNames.Failures, McpAuthTelemetryNames.StepTag, "token"));
        Assert.Equal(1, recorder.Sum(McpAuthTelemetryNames.Failures, McpAuthTelemetryNames.StepTag, "authorization"));
        Assert.Equal(2, recorder.Sum(McpAuthTelemetryNames.Failures, McpAuthTelemetryNames.ReasonTag, nameof(McpAuthErrorCode.InvalidClient)));
        Assert.Equal(0, recorder.Sum(McpAuthTelemetryNames.Authorizations));
        var token = recorder.Spans.Single(s => s.OperationName == McpAuthTelemetryNames.TokenSpan);
        Assert.Equal(ActivityStatusCode.Error, token.Status);
        Assert.Equal(nameof(McpAuthErrorCode.InvalidClient), token.GetTagItem(McpAuthTelemetryNames.ReasonTag));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_refresh_has_a_span_a_latency_and_a_success_or_failure_count(bool accepted)
    {
        var world = new OAuthWorld();
        world.Http.On("POST", "https://as.example.com/token", r => r.Form()["grant_type"] == "authorization_code"
            ? FakeHttp.Json("""{"access_token":"at-1","token_type":"Bearer","expires_in":120,"refresh_token":"rt-1"}""")
            : accepted
                ? FakeHttp.Json("""{"access_token":"at-2","token_type":"Bearer","expires_in":3600}""")
                : FakeHttp.Json("""{"error":"invalid_grant"}""", 400));
        var time = new ManualTimeProvider();
        var client = new McpAuthClient(new McpAuthOptions(), world.Vault, new HttpClient(world.Http), time, meterFactory: Meters);
        await client.AuthorizeAsync(Server, world.Interaction, default);
        using var recorder = new TelemetryRecorder(client);
        time.Advance(TimeSpan.FromSeconds(90));

        await client.SessionFor(Server).TryGetAccessTokenAsync(default);

        Assert.Contains(McpAuthTelemetryNames.RefreshSpan, recorder.SpanNames);
        Assert.Equal(1, recorder.Count(McpAuthTelemetryNames.RefreshDuration));
        Assert.Equal(accepted ? 1 : 0, recorder.Sum(McpAuthTelemetryNames.Refreshes));
        Assert.Equal(accepted ? 0 : 1, recorder.Sum(McpAuthTelemetryNames.Failures, McpAuthTelemetryNames.StepTag, "refresh"));
        Assert.Equal(1, recorder.Count(McpAuthTelemetryNames.RefreshDuration, McpAuthTelemetryNames.OutcomeTag, accepted ? "success" : "failure"));
    }

    [Theory]
    [InlineData(200)]
    [InlineData(503)]
    public async Task A_logout_revocation_has_a_span_and_a_failure_is_counted(int status)
    {
        var world = new OAuthWorld(asMetadataExtra: ",\"revocation_endpoint\":\"https://as.example.com/revoke\"");
        world.Http.On("POST", "https://as.example.com/revoke", _ => FakeHttp.Status(status));
        var client = world.Client(meterFactory: Meters);
        await client.AuthorizeAsync(Server, world.Interaction, default);
        var credential = Assert.Single((await world.Vault.ListCredentialsAsync(default)).Credentials);
        using var recorder = new TelemetryRecorder(client);

        await client.LogoutAsync(credential, new LogoutOptions { Revoke = true }, default);

        var span = Assert.Single(recorder.Spans, s => s.OperationName == McpAuthTelemetryNames.RevocationSpan);
        Assert.Equal(status == 200 ? ActivityStatusCode.Ok : ActivityStatusCode.Error, span.Status);
        Assert.Equal(status == 200 ? 0 : 1, recorder.Sum(McpAuthTelemetryNames.Failures, McpAuthTelemetryNames.StepTag, "revocation"));
    }
}
