using System.Diagnostics.Metrics;

namespace McpAuth.Tests.Diagnostics;

/// <summary>Makes a new meter each time, as a test's own; disposes them at its end.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    public List<Meter> Created { get; } = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        lock (Created)
        {
            Created.Add(meter);
        }
        return meter;
    }

    public void Dispose()
    {
        foreach (var meter in Created)
        {
            meter.Dispose();
        }
    }
}
