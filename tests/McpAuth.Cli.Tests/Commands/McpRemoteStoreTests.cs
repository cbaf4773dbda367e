using McpAuth.Cli.Commands.Import;

namespace McpAuth.Cli.Tests.Commands;

/// <summary>mcp-remote 0.15.1's store key and argument reading, against values its own code produced.</summary>
public sealed class McpRemoteStoreTests
{
    [Fact]
    public void The_hash_is_mcp_remotes_for_a_url_and_headers()
    {
        // Written by mcp-remote-client 0.15.1 for `http://127.0.0.1:39089/sse --header "X-Tenant: acme"`.
        Assert.Equal("cda7bc797b2bf2f0e74749159d26b3bd",
            McpRemoteStore.Hash(new McpRemoteServer("http://127.0.0.1:39089/sse", [new("X-Tenant", "acme")])));
        // No headers and no resource: the MD5 of the URL alone.
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData("https://mcp.example/mcp"u8)),
            McpRemoteStore.Hash(new McpRemoteServer("https://mcp.example/mcp", [])));
    }

    [Fact]
    public void Headers_are_keyed_sorted_last_value_winning_as_json_stringify_writes_them()
    {
        var a = McpRemoteStore.Hash(new McpRemoteServer("https://m/", [new("b", "2"), new("a", "q\"\\\n"), new("b", "3")]));
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(
            System.Text.Encoding.UTF8.GetBytes("https://m/|{\"a\":\"q\\\"\\\\\\n\",\"b\":\"3\"}")));

        Assert.Equal(expected, a);
    }

    [Fact]
    public void Arguments_are_read_as_mcp_remote_reads_them()
    {
        var server = McpRemoteConfig.FromArguments(["--header", "X-Key:${KEY}", "https://mcp.example/sse", "9876", "--resource", " https://r/ ", "--header", "bad header"]);

        Assert.NotNull(server);
        Assert.Equal("https://mcp.example/sse", server.Url);
        Assert.Equal([new("X-Key", "${KEY}")], server.Headers);
        Assert.Equal("https://r/", server.Resource);
        Assert.Null(McpRemoteConfig.FromArguments(["--allow-http"]));
        Assert.Null(McpRemoteConfig.FromArguments(["https://mcp.example/sse", "--resource", "https://r/", "--disable-resource-parameter"])!.Resource);
    }
}
