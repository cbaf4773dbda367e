using System.Text.Json;

namespace McpAuth.SecretSweep.Tests;

/// <summary>The sweep itself: it finds a planted secret in each form and place, and refuses to pass on no input.</summary>
public sealed class SweepTests : IDisposable
{
    private const string AccessToken = "Zm9vYmFyYmF6cXV4LW9wYXF1ZS1hY2Nlc3MtdG9rZW4";
    private const string Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r~w.ZXcgSU5u";
    private const string ClientSecret = "c2VjcmV0+/dmFsdWU=";
    private readonly string _directory = Directory.CreateTempSubdirectory("secret-sweep-test-").FullName;

    public SweepTests()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "ledger"));
        Directory.CreateDirectory(Path.Combine(_directory, "capture"));
        Ledger(("access_token", AccessToken), ("code_verifier", Verifier), ("client_secret", ClientSecret), ("client_secret", "short"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_clean_capture_has_no_leak()
    {
        Capture(("log", "Trace McpAuth.Engine.McpAuthClient [1] Token obtained for http://127.0.0.1:5000/mcp"), ("cli-stderr", "Logged in."));

        var result = Sweep.Run(SweepInput.Load(_directory));

        Assert.Empty(result.Leaks);
        Assert.Equal(3, result.Secrets); // "short" is under the minimum length
        Assert.Equal(1, result.Lines("log"));
        Assert.EndsWith(": 0 leaks", result.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("log")]
    [InlineData("exception")]
    [InlineData("cli-stdout")]
    [InlineData("cli-stderr")]
    public void A_planted_access_token_is_found_in_every_kind_of_line(string kind)
    {
        Capture((kind, $"refreshed; new token {AccessToken} saved" + new string('.', 100) + $" Bearer {AccessToken}"));

        var leak = Assert.Single(Sweep.Run(SweepInput.Load(_directory)).Leaks);

        Assert.Equal("access_token", leak.SecretKind);
        Assert.Equal(kind, leak.Line.Kind);
        Assert.DoesNotContain(AccessToken[..8], leak.Describe(), StringComparison.Ordinal); // nor a part of the second one
    }

    [Fact]
    public void A_verifier_in_a_form_body_is_found()
    {
        Capture(("log", $"POST /token code_verifier={Uri.EscapeDataString(Verifier)}&grant_type=authorization_code"));

        var leak = Assert.Single(Sweep.Run(SweepInput.Load(_directory)).Leaks);

        Assert.Equal("code_verifier", leak.SecretKind);
    }

    [Theory]
    [InlineData("percent-encoded", "c2VjcmV0%2B%2FdmFsdWU%3D")]
    [InlineData("percent-encoded, lower-case hex", "c2VjcmV0%2b%2fdmFsdWU%3d")]
    public void An_encoded_client_secret_is_found(string form, string encoded)
    {
        Capture(("exception", $"client_secret={encoded}"));

        var leak = Assert.Single(Sweep.Run(SweepInput.Load(_directory)).Leaks);

        Assert.Equal(("client_secret", form), (leak.SecretKind, leak.Form));
    }

    [Fact]
    public void A_sandbox_token_is_found_by_its_shape_without_a_ledger_entry()
    {
        Capture(("exception", "McpAuth.McpAuthException: bad token srt_" + new string('x', 43)));

        var leak = Assert.Single(Sweep.Run(SweepInput.Load(_directory)).Leaks);

        Assert.Equal("sandbox srt_ token", leak.SecretKind);
    }

    [Fact]
    public void The_stdout_of_a_command_that_prints_a_token_by_design_is_not_checked()
    {
        Capture(("cli-stdout-exempt", AccessToken));

        var result = Sweep.Run(SweepInput.Load(_directory));

        Assert.Empty(result.Leaks);
        Assert.Equal(1, result.Lines("cli-stdout-exempt"));
    }

    [Fact]
    public void The_last_line_of_a_process_killed_while_writing_is_checked_as_text()
    {
        Capture(("log", "fine"));
        File.AppendAllText(Path.Combine(_directory, "capture", "McpAuth.Tests-1.jsonl"), $"{{\"Kind\":\"log\",\"Text\":\"token {AccessToken} and");

        var leak = Assert.Single(Sweep.Run(SweepInput.Load(_directory)).Leaks);

        Assert.Equal("torn", leak.Line.Kind);
    }

    [Fact]
    public void A_torn_line_that_is_not_the_last_fails_the_sweep()
    {
        File.WriteAllText(Path.Combine(_directory, "capture", "broken.jsonl"), "{\"kind\":\"log\",\"te\n{\"kind\":\"log\",\"source\":\"\",\"text\":\"\"}\n");

        Assert.Throws<JsonException>(() => SweepInput.Load(_directory));
    }

    [Fact]
    public void No_capture_fails_with_a_clear_message_instead_of_passing()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SweepInput.Load(_directory));

        Assert.Contains("0 capture files", error.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/test", error.Message, StringComparison.Ordinal);
    }

    private void Ledger(params (string Kind, string Value)[] secrets) =>
        File.WriteAllLines(Path.Combine(_directory, "ledger", "oidc-provider-1.jsonl"),
            secrets.Select(s => JsonSerializer.Serialize(new { kind = s.Kind, value = s.Value })));

    private void Capture(params (string Kind, string Text)[] lines) =>
        File.WriteAllLines(Path.Combine(_directory, "capture", "McpAuth.Tests-1.jsonl"),
            lines.Select(l => JsonSerializer.Serialize(new { Kind = l.Kind, Source = "test", Text = l.Text })));
}
