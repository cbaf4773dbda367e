using System.Text;

namespace McpAuth.Cli.Output;

/// <summary>
/// A writer that creates the real one (Console.Out, Console.Error) on first use: console streams cost tens of
/// milliseconds to set up, and `mcpauth token` must not pay for a stderr it never writes to.
/// </summary>
internal sealed class DeferredTextWriter(Func<TextWriter> create) : TextWriter
{
    private readonly Lazy<TextWriter> _inner = new(create);

    public override Encoding Encoding => _inner.Value.Encoding;

    public override void Write(char value) => _inner.Value.Write(value);

    public override void Write(string? value) => _inner.Value.Write(value);

    public override void WriteLine(string? value) => _inner.Value.WriteLine(value);

    public override void WriteLine() => _inner.Value.WriteLine();

    public override Task WriteAsync(char value) => _inner.Value.WriteAsync(value);

    public override Task WriteAsync(string? value) => _inner.Value.WriteAsync(value);

    public override Task WriteLineAsync(string? value) => _inner.Value.WriteLineAsync(value);

    public override void Flush()
    {
        if (_inner.IsValueCreated)
        {
            _inner.Value.Flush();
        }
    }

    public override Task FlushAsync() => _inner.IsValueCreated ? _inner.Value.FlushAsync() : Task.CompletedTask;

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _inner.IsValueCreated ? _inner.Value.FlushAsync(cancellationToken) : Task.CompletedTask;
}

/// <summary>A reader that opens Console.In on first use.</summary>
internal sealed class DeferredTextReader(Func<TextReader> create) : TextReader
{
    private readonly Lazy<TextReader> _inner = new(create);

    public override int Peek() => _inner.Value.Peek();

    public override int Read() => _inner.Value.Read();

    public override string? ReadLine() => _inner.Value.ReadLine();

    public override ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken) => _inner.Value.ReadLineAsync(cancellationToken);

    public override Task<string?> ReadLineAsync() => _inner.Value.ReadLineAsync();
}
