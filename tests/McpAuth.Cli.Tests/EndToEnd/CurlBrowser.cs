namespace McpAuth.Cli.Tests.EndToEnd;

/// <summary>A $BROWSER for tests: a script that follows the authorization URL with curl, as a browser would.</summary>
internal static class CurlBrowser
{
    public static async Task<string> CreateAsync(string folder)
    {
        var path = Path.Combine(folder, "browser.sh");
        await File.WriteAllTextAsync(path, "#!/bin/sh\nexec curl -s -L -o /dev/null \"$1\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }
}
