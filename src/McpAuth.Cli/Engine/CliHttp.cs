using McpAuth.Http;

namespace McpAuth.Cli.Engine;

/// <summary>
/// The one place the CLI builds its HTTP sender, for OAuth requests (every verb) and MCP requests (the proxy) alike:
/// McpAuth's handler (<see cref="OAuthHttpClient.CreateDefaultHandler"/>), HTTP(S)_PROXY / NO_PROXY honoured as by any
/// .NET HttpClient, and the extra certificate authorities a PEM bundle names.
/// </summary>
/// <remarks>
/// Which variable does what on Linux: <see cref="ExtraCaVariable"/> (or mcp-remote's <see cref="NodeExtraCaVariable"/>)
/// adds certificate authorities to the system's roots; OpenSSL's SSL_CERT_FILE / SSL_CERT_DIR, which .NET reads too,
/// replace the system's roots.
/// </remarks>
internal static class CliHttp
{
    /// <summary>A PEM file of certificate authorities trusted besides the system's roots.</summary>
    public const string ExtraCaVariable = "MCPAUTH_EXTRA_CA_CERTS";

    /// <summary>Node's name for the same (what mcp-remote users set); read when <see cref="ExtraCaVariable"/> is unset.</summary>
    public const string NodeExtraCaVariable = "NODE_EXTRA_CA_CERTS";

    /// <summary>What to do about a TLS failure, printed after the error.</summary>
    public const string TlsHint =
        $"If the server's certificate is issued by a private or corporate CA, set {ExtraCaVariable} to a PEM file of that CA "
        + "(added to the system's trusted roots).";

    /// <summary>McpAuth's handler with the extra certificate authorities the environment names.</summary>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="warnings">
    /// Where a <see cref="NodeExtraCaVariable"/> that cannot be used is reported; null to ignore it silently.
    /// </param>
    /// <exception cref="CliException">
    /// <see cref="ExtraCaVariable"/> names a file that does not exist. A missing
    /// <see cref="NodeExtraCaVariable"/> is only warned about and ignored, as Node does: it may be set for Node programs,
    /// and it must not stop mcpauth.
    /// </exception>
    public static SocketsHttpHandler CreateHandler(Func<string, string?> environment, TextWriter? warnings = null) =>
        OAuthHttpClient.CreateDefaultHandler(Options(environment, warnings));

    /// <inheritdoc cref="CreateHandler"/>
    public static OAuthHttpOptions Options(Func<string, string?> environment, TextWriter? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var options = new OAuthHttpOptions();
        var (variable, path) = environment(ExtraCaVariable) is { Length: > 0 } own ? (ExtraCaVariable, own)
            : environment(NodeExtraCaVariable) is { Length: > 0 } node ? (NodeExtraCaVariable, node)
            : (null, null);
        if (variable is null)
        {
            return options;
        }
        // Only the file's presence is checked here: its certificates are read at the first handshake the system's roots
        // do not validate (OAuthHttpOptions.ExtraTrustedCertificatesFile), so a command that sends nothing pays nothing.
        var problem = File.Exists(path) ? null : $"{variable}: {path} does not exist; set it to a PEM file of the certificate authorities to trust, or unset it.";
        if (problem is null)
        {
            options.ExtraTrustedCertificatesFile = path;
            return options;
        }
        if (variable == ExtraCaVariable)
        {
            throw new CliException(problem);
        }
        warnings?.WriteLine($"mcpauth: warning: {problem} Ignored, as Node ignores it; set {ExtraCaVariable} for mcpauth.");
        return options;
    }
}
