using System.Text.Json;
using McpAuth.Cli.Commands.Token;
using McpAuth.Cli.Engine;

namespace McpAuth.Cli.Commands.Headers;

/// <summary>
/// The run step of <c>mcpauth headers</c>: the same token as <c>mcpauth token</c> (refreshed first when due), printed as
/// <c>{"Authorization":"Bearer ..."}</c> and a newline, nothing else on stdout; a login-needed failure is exit 4 with
/// a message on stderr (mapped by <see cref="CommandErrors"/>).
/// </summary>
public sealed class HeadersRunner(CliContext cli, Func<ICliEngine> engine)
{
    public Task<int> RunAsync(TokenOptions options, CancellationToken cancellationToken) =>
        new TokenRunner(cli, engine, Format).RunAsync(options, cancellationToken);

    /// <summary>The headers object for a bearer token, as compact JSON.</summary>
    public static string Format(string accessToken)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("Authorization", "Bearer " + accessToken);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
