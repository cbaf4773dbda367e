namespace McpAuth.Tests.SdkServer;

/// <summary>What the test server was started with (see Program.cs for the command line).</summary>
internal sealed record SdkServerOptions
{
    public const string OpenIddict = "openiddict";
    public const string ClientSecretVariable = "SDKSERVER_CLIENT_SECRET";

    public required int Port { get; init; }

    /// <summary>"stateless" (2026-07-28: no session) or "stateful" (initialize handshake, Mcp-Session-Id).</summary>
    public required string SessionMode { get; init; }

    /// <summary>"openiddict" (in this process) or an outside issuer's URL.</summary>
    public required string AuthorizationServer { get; init; }

    public int AccessTokenLifetime { get; init; } = 300;

    public string? ClientId { get; init; }

    public string? RedirectUri { get; init; }

    /// <summary>
    /// <c>--dpop required</c>: the RFC 9728 metadata says <c>dpop_bound_access_tokens_required</c> and the MCP endpoint
    /// accepts only DPoP-bound tokens with a valid proof (<see cref="DPoPBoundTokens"/>).
    /// </summary>
    public bool RequireDPoP { get; init; }

    public string Origin => $"http://127.0.0.1:{Port}";

    public string McpUrl => Origin + "/mcp";

    public bool HostsOpenIddict => AuthorizationServer == OpenIddict;

    /// <summary>
    /// The issuer identifier: for OpenIddict this origin with the trailing slash OpenIddict always writes (its metadata
    /// and tokens say <c>http://127.0.0.1:P/</c>), else the outside issuer as given.
    /// </summary>
    public string Issuer => HostsOpenIddict ? Origin + "/" : AuthorizationServer;

    public static SdkServerOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i]] = args[i + 1];
        }
        string Required(string name) =>
            values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"{name} is required.");
        var mode = Required("--session-mode");
        if (mode is not ("stateless" or "stateful"))
        {
            throw new ArgumentException("--session-mode is stateless or stateful.");
        }
        return new SdkServerOptions
        {
            Port = int.Parse(Required("--port"), System.Globalization.CultureInfo.InvariantCulture),
            SessionMode = mode,
            AuthorizationServer = Required("--authorization-server"),
            AccessTokenLifetime = values.TryGetValue("--access-token-lifetime", out var ttl)
                ? int.Parse(ttl, System.Globalization.CultureInfo.InvariantCulture)
                : 300,
            ClientId = values.GetValueOrDefault("--client-id"),
            RedirectUri = values.GetValueOrDefault("--redirect-uri"),
            RequireDPoP = values.GetValueOrDefault("--dpop") switch
            {
                null => false,
                "required" => true,
                _ => throw new ArgumentException("--dpop is required (or absent)."),
            },
        };
    }
}
