namespace McpAuth.Cli.Tests.EndToEnd;

/// <summary>A $BROWSER for tests: a script that follows the authorization URL with curl, as a browser would.</summary>
internal static class CurlBrowser
{
    /// <param name="folder">Where the script goes.</param>
    /// <param name="curlOptions">More curl options, already shell-quoted (a cookie jar, a CA file).</param>
    public static async Task<string> CreateAsync(string folder, string curlOptions = "")
    {
        var path = Path.Combine(folder, "browser.sh");
        await File.WriteAllTextAsync(path, $"#!/bin/sh\nexec curl -s -L {curlOptions} -o /dev/null \"$1\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }
}
