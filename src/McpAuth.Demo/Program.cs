using System.Runtime.InteropServices;
using McpAuth.Cli;
using McpAuth.Demo;

var cli = CliContext.FromProcess();
// Ctrl-C and SIGTERM cancel the demo, which stops the sandbox, deletes its throw-away home and exits 2.
using var cancel = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
return await new DemoCommand().InvokeAsync(cli, args, (o, ct) => new DemoRunner(cli).RunAsync(o, ct), cancel.Token);

void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}
