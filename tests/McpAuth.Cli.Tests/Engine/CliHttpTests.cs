using McpAuth.Cli.Engine;

namespace McpAuth.Cli.Tests.Engine;

/// <summary>Which CA bundle the CLI's sender trusts besides the system's roots, read from the environment.</summary>
public sealed class CliHttpTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly TestCertificateAuthority _first = TestCertificateAuthority.Create();
    private readonly TestCertificateAuthority _second = TestCertificateAuthority.Create();

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
        _home.Dispose();
    }

    private string Pem(TestCertificateAuthority ca, string name) => ca.WriteRootPem(Path.Combine(_home.Path, name));

    [Fact]
    public void Without_a_variable_nothing_is_added()
    {
        Assert.Empty(CliHttp.Options(_ => null).ExtraTrustedCertificates);
        Assert.Empty(CliHttp.Options(_ => "").ExtraTrustedCertificates);
    }

    [Fact]
    public void Mcpauth_extra_ca_certs_wins_over_node_extra_ca_certs()
    {
        var own = Pem(_first, "own.pem");
        var node = Pem(_second, "node.pem");

        var options = CliHttp.Options(name => name switch { "MCPAUTH_EXTRA_CA_CERTS" => own, "NODE_EXTRA_CA_CERTS" => node, _ => null });

        Assert.Equal(_first.Root.Thumbprint, Assert.Single(options.ExtraTrustedCertificates).Thumbprint);
    }

    [Fact]
    public void Node_extra_ca_certs_is_read_when_the_own_variable_is_unset_and_every_certificate_of_the_bundle_is_taken()
    {
        var bundle = Path.Combine(_home.Path, "bundle.pem");
        File.WriteAllText(bundle, _first.Root.ExportCertificatePem() + "\n" + _second.Root.ExportCertificatePem() + "\n");

        var options = CliHttp.Options(name => name == "NODE_EXTRA_CA_CERTS" ? bundle : null);

        Assert.Equal(2, options.ExtraTrustedCertificates.Count);
    }

    [Fact]
    public void A_missing_file_is_an_error_naming_the_variable_and_the_path()
    {
        var missing = Path.Combine(_home.Path, "nope.pem");

        var e = Assert.Throws<CliException>(() => CliHttp.Options(name => name == "MCPAUTH_EXTRA_CA_CERTS" ? missing : null));

        Assert.StartsWith($"MCPAUTH_EXTRA_CA_CERTS: cannot read the certificate authorities in {missing}", e.Message);
    }

    [Fact]
    public void A_broken_node_variable_is_warned_about_and_ignored_as_node_does()
    {
        var missing = Path.Combine(_home.Path, "nope.pem");
        var warnings = new StringWriter();

        var options = CliHttp.Options(name => name == "NODE_EXTRA_CA_CERTS" ? missing : null, warnings);

        Assert.Empty(options.ExtraTrustedCertificates);
        Assert.Contains($"NODE_EXTRA_CA_CERTS: cannot read the certificate authorities in {missing}", warnings.ToString());
        Assert.Contains("set MCPAUTH_EXTRA_CA_CERTS", warnings.ToString());
    }

    [Fact]
    public void The_tls_hint_names_the_variable()
    {
        Assert.Contains("MCPAUTH_EXTRA_CA_CERTS", CliHttp.TlsHint);
    }
}
