using System.Text.Json;
using System.Text.RegularExpressions;
using McpAuth.Cli.Commands;
using McpAuth.Cli.Commands.Import;
using McpAuth.Cli.Commands.Proxy;
using McpAuth.Cli.Commands.Token;
using McpAuth.IntegrationTests.Fixtures;

namespace McpAuth.Cli.Tests.Commands;

/// <summary>
/// docs/clients.md stays true: every JSON configuration in it parses, and every mcpauth command line it gives a client
/// (a stdio server's command and arguments, a headersHelper) is one mcpauth accepts; the Claude Desktop and Cursor
/// shapes are also what <c>import --from mcp-remote --config</c> reads.
/// </summary>
public sealed partial class ClientsDocTests
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(TestTools.RepoRoot, "docs", "clients.md"));

    [Fact]
    public async Task Every_configuration_parses_and_every_mcpauth_command_line_in_it_is_accepted()
    {
        var blocks = JsonBlock().Matches(Doc).Select(m => m.Groups[1].Value).ToList();
        var commandLines = new List<string[]>();
        foreach (var block in blocks)
        {
            using var json = JsonDocument.Parse(block);
            var servers = json.RootElement.TryGetProperty("mcpServers", out var s) ? s : json.RootElement.GetProperty("servers");
            foreach (var server in servers.EnumerateObject().Select(p => p.Value))
            {
                if (server.TryGetProperty("command", out var command))
                {
                    Assert.Equal("mcpauth", command.GetString());
                    commandLines.Add([.. server.GetProperty("args").EnumerateArray().Select(a => a.GetString()!)]);
                }
                if (server.TryGetProperty("headersHelper", out var helper))
                {
                    var words = helper.GetString()!.Split(' ');
                    Assert.Equal("mcpauth", words[0]);
                    commandLines.Add(words[1..]);
                }
            }
        }
        Assert.True(blocks.Count >= 6, $"{blocks.Count} JSON blocks");

        foreach (var args in commandLines)
        {
            var parsed = await ParseAsync(args);
            Assert.True(parsed is ProxyOptions or TokenOptions, $"mcpauth {string.Join(' ', args)}: {parsed}");
        }
        Assert.Contains(commandLines, a => a[0] == "headers");
        Assert.Contains(commandLines, a => a.Contains("--header"));
    }

    private static async Task<object?> ParseAsync(string[] args)
    {
        var console = new TestConsole();
        console.Environment["API_KEY"] = "k";
        var cli = console.Context();
        object? received = null;
        Task<int> Record(object options)
        {
            received = options;
            return Task.FromResult(0);
        }
        var runners = new CommandRunners
        {
            Login = (o, _) => Record(o), Status = (o, _) => Record(o), Token = (o, _) => Record(o), Logout = (o, _) => Record(o),
            Import = (o, _) => Record(o), Proxy = (o, _) => Record(o), Headers = (o, _) => Record(o), ImportFromMcpRemote = (o, _) => Record(o),
        };
        var code = await CommandTree.InvokeAsync(CommandTree.Build(cli, runners), cli, args, default);
        Assert.True(code == 0, console.Err.ToString());
        return received;
    }

    [GeneratedRegex("```json\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
