using BenchmarkDotNet.Columns;
using Perfolizer.Mathematics.OutlierDetection;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace McpAuth.PostgreSql.Tests.Benchmarks;

/// <summary>
/// Runs the gateway benchmarks in this process (they start their own PostgreSQL and token endpoint):
/// <c>dotnet build -c Release tests/McpAuth.PostgreSql.Tests &amp;&amp; dotnet exec .../Release/net10.0/McpAuth.PostgreSql.Tests.dll bench</c>.
/// </summary>
public static class GatewayBenchmarkRunner
{
    public static int Run(string[] args)
    {
        var config = DefaultConfig.Instance
            .AddColumn(StatisticColumn.Median, new P99Column(), StatisticColumn.OperationsPerSecond,
                new RoundTripsPerBearerColumn(GatewayBenchmarkBase.RoundTripsPerBearer))
            .WithOptions(ConfigOptions.JoinSummary);
        var summaries = BenchmarkSwitcher.FromTypes([typeof(RefreshBurstBenchmark), typeof(BearerLatencyBenchmark)]).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}

/// <summary>
/// In-process jobs (the benchmarks share the PostgreSQL server and token endpoint they start), one measured
/// iteration per operation so percentiles are per request.
/// </summary>
public static class InProcessJob
{
    private static Job Base => Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithInvocationCount(1).WithUnrollFactor(1);

    public sealed class Burst : ManualConfig
    {
        public Burst() => AddJob(Base.WithWarmupCount(1).WithIterationCount(8));
    }

    public sealed class Latency : ManualConfig
    {
        public Latency() => AddJob(Base.WithWarmupCount(50).WithIterationCount(1000).WithOutlierMode(OutlierMode.DontRemove));
    }
}
