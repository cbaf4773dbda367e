using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace McpAuth.Diagnostics;

/// <summary>
/// The names of McpAuth's traces and metrics (see docs/observability.md). They are stable: dashboards and alerts use them.
/// </summary>
public static class McpAuthTelemetryNames
{
    /// <summary>The <see cref="ActivitySource"/> and <see cref="Meter"/> name.</summary>
    public const string SourceName = "McpAuth";

    /// <summary>Span: RFC 9728 / RFC 8414 discovery of the authorization server.</summary>
    public const string DiscoverySpan = "mcpauth.discovery";

    /// <summary>Span: resolving the client identity (pre-registered, metadata document, or RFC 7591 registration).</summary>
    public const string RegistrationSpan = "mcpauth.registration";

    /// <summary>Span: one authorization of an MCP server, whatever the grant.</summary>
    public const string AuthorizationSpan = "mcpauth.authorization";

    /// <summary>Span: one token endpoint request (RFC 6749 §3.2).</summary>
    public const string TokenSpan = "mcpauth.token";

    /// <summary>Span: one refresh (RFC 6749 §6).</summary>
    public const string RefreshSpan = "mcpauth.refresh";

    /// <summary>Span: one revocation (RFC 7009).</summary>
    public const string RevocationSpan = "mcpauth.revocation";

    /// <summary>Span: one delegation token exchange (RFC 8693) before an MCP request.</summary>
    public const string DelegationSpan = "mcpauth.delegation";

    /// <summary>Counter: authorizations that completed, tagged <c>mcpauth.grant</c>.</summary>
    public const string Authorizations = "mcpauth.authorizations";

    /// <summary>Counter: refreshes that completed.</summary>
    public const string Refreshes = "mcpauth.refreshes";

    /// <summary>Counter: failed steps, tagged <c>mcpauth.step</c> and <c>mcpauth.reason</c> (a <see cref="McpAuthErrorCode"/> name).</summary>
    public const string Failures = "mcpauth.failures";

    /// <summary>Histogram: refresh latency in seconds, tagged <c>mcpauth.outcome</c> (<c>success</c> or <c>failure</c>).</summary>
    public const string RefreshDuration = "mcpauth.refresh.duration";

    /// <summary>Histogram: authorization latency in seconds (user interaction included), tagged <c>mcpauth.outcome</c>.</summary>
    public const string AuthorizationDuration = "mcpauth.authorization.duration";

    /// <summary>Tag: the step a failure happened in (<c>discovery</c>, <c>registration</c>, <c>authorization</c>, ...).</summary>
    public const string StepTag = "mcpauth.step";

    /// <summary>Tag: the stable reason code of a failure, a <see cref="McpAuthErrorCode"/> name.</summary>
    public const string ReasonTag = "mcpauth.reason";

    /// <summary>Tag: the grant an authorization used (<c>authorization_code</c>, <c>client_credentials</c>, ...).</summary>
    public const string GrantTag = "mcpauth.grant";

    /// <summary>Tag: <c>success</c> or <c>failure</c>.</summary>
    public const string OutcomeTag = "mcpauth.outcome";
}

/// <summary>
/// The engine's <see cref="ActivitySource"/> and <see cref="Meter"/>, and the few calls the engine makes: start a step,
/// end it with an outcome. Carries endpoints and reason codes only, never a token or secret. Without an
/// <see cref="IMeterFactory"/>, every engine of the process shares one source and one meter (as .NET advises: made
/// once, never disposed), so that an application making an engine per user or per call neither pays for them each
/// time (registering a source and a meter with the process's listeners costs tens of microseconds) nor leaves one
/// behind each time. With a factory (dependency injection), the meter is the factory's and the source the engine's own.
/// </summary>
internal sealed class McpAuthTelemetry : IDisposable
{
    private readonly IMeterFactory? _meterFactory;
    private readonly Lock _creation = new();
    private volatile Instruments? _instruments;

    /// <summary>
    /// Creates nothing yet: the source, meter and instruments are made at the first step (or the first read of
    /// <see cref="Source"/> or <see cref="Meter"/>). A process that only uses a stored token never loads them, which
    /// saves a new process about 2 ms of its start.
    /// </summary>
    public McpAuthTelemetry(IMeterFactory? meterFactory = null) => _meterFactory = meterFactory;

    public ActivitySource Source => Made.Source;

    public Meter Meter => Made.Meter;

    private static readonly Lock SharedCreation = new();
    private static volatile Instruments? _shared;

    private Instruments Made => _instruments ?? Make();

    private Instruments Make()
    {
        if (_meterFactory is null)
        {
            lock (SharedCreation)
            {
                return _instruments = _shared ??= new Instruments(null);
            }
        }
        lock (_creation)
        {
            return _instruments ??= new Instruments(_meterFactory);
        }
    }

    private sealed class Instruments
    {
        public Instruments(IMeterFactory? meterFactory)
        {
            Source = new ActivitySource(McpAuthTelemetryNames.SourceName);
            Meter = meterFactory?.Create(McpAuthTelemetryNames.SourceName) ?? new Meter(McpAuthTelemetryNames.SourceName);
            Authorizations = Meter.CreateCounter<long>(McpAuthTelemetryNames.Authorizations, "{authorization}", "Completed authorizations.");
            Refreshes = Meter.CreateCounter<long>(McpAuthTelemetryNames.Refreshes, "{refresh}", "Completed refreshes.");
            Failures = Meter.CreateCounter<long>(McpAuthTelemetryNames.Failures, "{failure}", "Failed OAuth steps by reason code.");
            RefreshDuration = Meter.CreateHistogram<double>(McpAuthTelemetryNames.RefreshDuration, "s", "Refresh latency.");
            AuthorizationDuration = Meter.CreateHistogram<double>(McpAuthTelemetryNames.AuthorizationDuration, "s", "Authorization latency.");
        }

        public ActivitySource Source { get; }

        public Meter Meter { get; }

        public Counter<long> Authorizations { get; }

        public Counter<long> Refreshes { get; }

        public Counter<long> Failures { get; }

        public Histogram<double> RefreshDuration { get; }

        public Histogram<double> AuthorizationDuration { get; }
    }

    /// <summary>Starts the span of one step; end it with <see cref="Step.Succeeded"/> or <see cref="Step.Failed"/>.</summary>
    public Step Start(string span, string resource) => new(this, span, resource, Stopwatch.GetTimestamp(), Source.StartActivity(span, ActivityKind.Client));

    /// <summary>Runs <paramref name="action"/> inside a span; a failure is counted and rethrown untouched.</summary>
    public async Task<T> RunAsync<T>(string span, string resource, Func<Task<T>> action)
    {
        using var step = Start(span, resource);
        try
        {
            var result = await action().ConfigureAwait(false);
            step.Succeeded();
            return result;
        }
        catch (McpAuthException e)
        {
            step.Failed(e.Code);
            throw;
        }
        catch (OperationCanceledException)
        {
            step.Failed(McpAuthErrorCode.Cancelled);
            throw;
        }
    }

    public void Dispose()
    {
        if (_meterFactory is not null && _instruments is { } made)
        {
            made.Source.Dispose();
            made.Meter.Dispose();
        }
    }

    private static string StepName(string span) => span["mcpauth.".Length..];

    /// <summary>One step in flight. Disposing without an outcome records nothing but the span.</summary>
    internal sealed class Step(McpAuthTelemetry telemetry, string span, string resource, long started, Activity? activity) : IDisposable
    {
        private readonly Activity? _activity = activity?.SetTag("mcpauth.resource", resource);

        /// <summary>The grant, for an authorization span and counter.</summary>
        public string? Grant { get; set; }

        public void Succeeded()
        {
            _activity?.SetStatus(ActivityStatusCode.Ok);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var outcome = new KeyValuePair<string, object?>(McpAuthTelemetryNames.OutcomeTag, "success");
            if (span == McpAuthTelemetryNames.RefreshSpan)
            {
                telemetry.Made.Refreshes.Add(1);
                telemetry.Made.RefreshDuration.Record(seconds, outcome);
            }
            else if (span == McpAuthTelemetryNames.AuthorizationSpan)
            {
                telemetry.Made.Authorizations.Add(1, new KeyValuePair<string, object?>(McpAuthTelemetryNames.GrantTag, Grant));
                telemetry.Made.AuthorizationDuration.Record(seconds, outcome);
            }
        }

        public void Failed(McpAuthErrorCode code)
        {
            var reason = code.ToString();
            _activity?.SetStatus(ActivityStatusCode.Error, reason);
            _activity?.SetTag(McpAuthTelemetryNames.ReasonTag, reason);
            telemetry.Made.Failures.Add(1, new KeyValuePair<string, object?>(McpAuthTelemetryNames.StepTag, StepName(span)),
                new KeyValuePair<string, object?>(McpAuthTelemetryNames.ReasonTag, reason));
            var outcome = new KeyValuePair<string, object?>(McpAuthTelemetryNames.OutcomeTag, "failure");
            if (span == McpAuthTelemetryNames.RefreshSpan)
            {
                telemetry.Made.RefreshDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, outcome);
            }
            else if (span == McpAuthTelemetryNames.AuthorizationSpan)
            {
                telemetry.Made.AuthorizationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, outcome);
            }
        }

        public void Dispose() => _activity?.Dispose();
    }
}
