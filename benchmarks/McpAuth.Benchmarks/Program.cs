using BenchmarkDotNet.Running;
using McpAuth.Benchmarks;

// `store-token HOME` prepares an McpAuth home with a fresh token for the CPU-time loop of benchmarks/startup.sh.
if (args is ["store-token", var home])
{
    TokenCommandStartupBenchmarks.StoreFreshToken(home);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
