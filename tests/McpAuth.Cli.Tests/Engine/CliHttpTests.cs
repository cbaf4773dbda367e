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
        Assert.Null(CliHttp.Options(_ => null).ExtraTrustedCertificatesFile);
        Assert.Null(CliHttp.Options(_ => "").ExtraTrustedCertificatesFile);
    }

    [Fact]
    public void Mcpauth_extra_ca_certs_wins_over_node_extra_ca_certs()
    {
        var own = Pem(_first, "own.pem");
        var node = Pem(_second, "node.pem");

        var options = CliHttp.Options(name => name switch { "MCPAUTH_EXTRA_CA_CERTS" => own, "NODE_EXTRA_CA_CERTS" => node, _ => null });

        Assert.Equal(own, options.ExtraTrustedCertificatesFile);
    }

    [Fact]
    public void Node_extra_ca_certs_is_used_when_the_own_variable_is_unset_and_its_bundle_is_not_parsed_before_a_handshake_needs_it()
    {
        var bundle = Path.Combine(_home.Path, "bundle.pem");
        File.WriteAllText(bundle, _first.Root.ExportCertificatePem() + "\n" + _second.Root.ExportCertificatePem() + "\n");

        var options = CliHttp.Options(name => name == "NODE_EXTRA_CA_CERTS" ? bundle : null);

        Assert.Equal(bundle, options.ExtraTrustedCertificatesFile);
        Assert.Empty(options.ExtraTrustedCertificates);
    }

    [Fact]
    public void A_missing_file_is_an_error_naming_the_variable_and_the_path()
    {
        var missing = Path.Combine(_home.Path, "nope.pem");

        var e = Assert.Throws<CliException>(() => CliHttp.Options(name => name == "MCPAUTH_EXTRA_CA_CERTS" ? missing : null));

        Assert.Equal($"MCPAUTH_EXTRA_CA_CERTS: {missing} does not exist; set it to a PEM file of the certificate authorities to trust, or unset it.", e.Message);
    }

    [Fact]
    public void A_broken_node_variable_is_warned_about_and_ignored_as_node_does()
    {
        var missing = Path.Combine(_home.Path, "nope.pem");
        var warnings = new StringWriter();

        var options = CliHttp.Options(name => name == "NODE_EXTRA_CA_CERTS" ? missing : null, warnings);

        Assert.Null(options.ExtraTrustedCertificatesFile);
        Assert.Contains($"NODE_EXTRA_CA_CERTS: {missing} does not exist; set it to a PEM file", warnings.ToString());
        Assert.Contains("set MCPAUTH_EXTRA_CA_CERTS", warnings.ToString());
    }

    [Fact]
    public void The_tls_hint_names_the_variable()
    {
        Assert.Contains("MCPAUTH_EXTRA_CA_CERTS", CliHttp.TlsHint);
    }
}
