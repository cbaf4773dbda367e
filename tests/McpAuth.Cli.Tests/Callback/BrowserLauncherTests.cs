using McpAuth.Cli.Callback;

namespace McpAuth.Cli.Tests.Callback;

public sealed class BrowserLauncherTests
{
    [Theory]
    [InlineData("https://as.example/authorize?x=1", true)]
    [InlineData("http://127.0.0.1:5/authorize", true)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("file:///etc/passwd", false)]
    [InlineData("myapp://callback", false)]
    [InlineData("ftp://as.example/", false)]
    public void Only_http_and_https_are_web_urls(string url, bool expected) =>
        Assert.Equal(expected, BrowserLauncher.IsWebUrl(new Uri(url)));

    [Fact]
    public void Refuses_to_open_other_schemes_without_starting_anything()
    {
        var launcher = new BrowserLauncher(_ => "/nonexistent/browser");

        Assert.False(launcher.TryOpen(new Uri("file:///etc/passwd"), out var failure));
        Assert.Contains("http", failure);
    }

    [SkippableFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Starts_the_configured_browser_with_the_url_as_one_argument()
    {
        Skip.If(OperatingSystem.IsWindows(), "The stand-in browser is a shell script: Unix only.");
        using var home = new TempHome();
        var record = Path.Combine(home.Path, "opened.txt");
        var script = Path.Combine(home.Path, "browser.sh");
        await File.WriteAllTextAsync(script, $"#!/bin/sh\nprintf '%s' \"$1\" > '{record}.tmp' && mv '{record}.tmp' '{record}'\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var launcher = new BrowserLauncher(name => name == "BROWSER" ? script : null);
        var url = new Uri("https://as.example/authorize?a=1&b=two%20words");

        Assert.True(launcher.TryOpen(url, out _));

        await Eventually.UntilAsync(() => File.Exists(record), "the browser script's record"); // another process writes it
        Assert.Equal(url.AbsoluteUri, await File.ReadAllTextAsync(record));
    }
}
