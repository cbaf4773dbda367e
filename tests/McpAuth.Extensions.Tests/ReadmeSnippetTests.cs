using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace McpAuth.Extensions.Tests;

/// <summary>The README's .NET snippet is the compiled desktop sample, line for line.</summary>
public sealed partial class ReadmeSnippetTests
{
    [Fact]
    public void The_README_snippet_is_part_of_the_compiled_desktop_sample()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var section = readme[readme.IndexOf("## Using McpAuth from .NET", StringComparison.Ordinal)..];
        var snippet = CSharpBlock().Match(section).Groups["code"].Value;
        var sample = File.ReadAllText(Path.Combine(root, "samples", "DesktopApp", "Program.cs")).ReplaceLineEndings("\n");

        Assert.Contains("AddMcpAuth", snippet, StringComparison.Ordinal);
        Assert.Contains("AddMcpAuthHandler", snippet, StringComparison.Ordinal);
        Assert.Contains(snippet.ReplaceLineEndings("\n").Trim(), sample, StringComparison.Ordinal);
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));

    [GeneratedRegex("```csharp\\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
