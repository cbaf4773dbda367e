using McpAuth.Protocol;

namespace McpAuth.Tests.Protocol;

public class ScopeSelectionTests
{
    [Fact]
    public void Challenge_scope_wins() => Assert.Equal("mcp:basic", ScopeSelection.Select("mcp:basic", ["a", "b"], null, false));

    [Fact]
    public void Falls_back_to_resource_scopes_supported() => Assert.Equal("a b", ScopeSelection.Select(null, ["a", "b"], null, false));

    [Fact]
    public void Omitted_when_nothing_is_known_and_the_server_lists_no_offline_access() =>
        Assert.Null(ScopeSelection.Select(null, null, ["openid"], true));

    [Fact]
    public void Offline_access_only_when_the_server_lists_it()
    {
        Assert.Equal("a offline_access", ScopeSelection.Select(null, ["a"], ["a", "offline_access"], true));
        Assert.Equal("a", ScopeSelection.Select(null, ["a"], ["a"], true));
        Assert.Equal("a", ScopeSelection.Select(null, ["a"], ["offline_access"], false));
    }

    [Fact]
    public void Union_keeps_previous_scopes_in_order() => Assert.Equal("a b c", ScopeSelection.Union("a b", "b c"));

    [Fact]
    public void Contains_checks_every_scope()
    {
        Assert.True(ScopeSelection.Contains("a b c", "c a"));
        Assert.False(ScopeSelection.Contains("a b", "c"));
    }
}
