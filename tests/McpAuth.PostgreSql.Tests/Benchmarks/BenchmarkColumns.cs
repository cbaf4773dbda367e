using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace McpAuth.PostgreSql.Tests.Benchmarks;

/// <summary>The 99th percentile of the measured iterations (one request per iteration in the latency benchmark).</summary>
public sealed class P99Column : IColumn
{
    public string Id => nameof(P99Column);
    public string ColumnName => "P99";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Statistics;
    public int PriorityInCategory => 10;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Time;
    public string Legend => "99th percentile of one measured iteration";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        return statistics is null ? "NA" : $"{statistics.Percentiles.Percentile(99) / 1000.0:F1} us";
    }

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

/// <summary>Database round trips per resolved bearer, as counted by the stores (<see cref="PostgresTokenStore.RoundTrips"/>).</summary>
public sealed class RoundTripsPerBearerColumn(ConcurrentDictionary<string, double> results) : IColumn
{
    public string Id => nameof(RoundTripsPerBearerColumn);
    public string ColumnName => "DbRoundTrips/Bearer";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "database round trips per resolved bearer, over all iterations";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        results.TryGetValue(benchmarkCase.Descriptor.WorkloadMethod.Name, out var value) ? value.ToString("F2", CultureInfo.InvariantCulture) : "NA";

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
