using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using McpAuth.Engine;

namespace McpAuth.Tests.Diagnostics;

/// <summary>Listens to one engine's ActivitySource and Meter only (other tests' engines run in parallel).</summary>
internal sealed class TelemetryRecorder : IDisposable
{
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters = new();

    public TelemetryRecorder(McpAuthClient client)
    {
        var telemetry = client.Telemetry;
        // The engine makes its source and meter at the first step; make them now, so the callbacks below never run
        // inside their creation.
        _ = telemetry.Meter;
        _activities = new ActivityListener
        {
            ShouldListenTo = source => ReferenceEquals(source, telemetry.Source),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Spans.Add,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, telemetry.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Measurements.Add((instrument.Name, value, tags.ToArray())));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Measurements.Add((instrument.Name, value, tags.ToArray())));
        _meters.Start();
    }

    public ConcurrentBag<Activity> Spans { get; } = [];

    public ConcurrentBag<(string Name, double Value, KeyValuePair<string, object?>[] Tags)> Measurements { get; } = [];

    public IReadOnlyList<string> SpanNames => Spans.Select(s => s.OperationName).Order(StringComparer.Ordinal).ToList();

    public double Sum(string instrument, string? tag = null, object? value = null) =>
        Measurements.Where(m => m.Name == instrument && (tag is null || m.Tags.Any(t => t.Key == tag && Equals(t.Value, value)))).Sum(m => m.Value);

    public int Count(string instrument, string? tag = null, object? value = null) =>
        Measurements.Count(m => m.Name == instrument && (tag is null || m.Tags.Any(t => t.Key == tag && Equals(t.Value, value))));

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }
}
