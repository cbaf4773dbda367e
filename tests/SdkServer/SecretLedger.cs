using System.Text.Json;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace McpAuth.Tests.SdkServer;

/// <summary>
/// The whole-suite secret sweep's ledger (SECURITY.md §7): every secret OpenIddict issues or receives, appended as JSON
/// lines {"kind": "...", "value": "..."} to the file named by OIDC_SECRET_LEDGER (the format of
/// tests/js/oidc-secret-ledger.mjs). Without the variable nothing is written.
/// </summary>
internal sealed class SecretLedger
{
    private readonly string? _path = Environment.GetEnvironmentVariable("OIDC_SECRET_LEDGER");
    private readonly Lock _gate = new();

    public void AddHandlers(OpenIddictServerBuilder server)
    {
        if (_path is null)
        {
            return;
        }
        server.AddEventHandler<ExtractTokenRequestContext>(handler => handler.UseInlineHandler(context =>
        {
            Record(context.Request);
            return default;
        }).SetOrder(int.MaxValue));
        server.AddEventHandler<ExtractRevocationRequestContext>(handler => handler.UseInlineHandler(context =>
        {
            Record(context.Request);
            return default;
        }).SetOrder(int.MaxValue));
        server.AddEventHandler<ApplyTokenResponseContext>(handler => handler.UseInlineHandler(context =>
        {
            Write("access_token", context.Response.AccessToken);
            Write("refresh_token", context.Response.RefreshToken);
            Write("id_token", context.Response.IdToken);
            return default;
        }));
        server.AddEventHandler<ApplyAuthorizationResponseContext>(handler => handler.UseInlineHandler(context =>
        {
            Write("authorization_code", context.Response.Code);
            return default;
        }));
    }

    private void Record(OpenIddictRequest? request)
    {
        Write("authorization_code", request?.Code);
        Write("code_verifier", request?.CodeVerifier);
        Write("refresh_token", request?.RefreshToken);
        Write("client_secret", request?.ClientSecret);
        Write("token", request?.Token);
    }

    private void Write(string kind, string? value)
    {
        if (string.IsNullOrEmpty(value) || _path is null || value.StartsWith(WarmUp.WarmUpValue, StringComparison.Ordinal))
        {
            return;
        }
        var line = JsonSerializer.Serialize(new Dictionary<string, string> { ["kind"] = kind, ["value"] = value }) + "\n";
        lock (_gate)
        {
            var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using var file = new FileStream(_path, options);
            file.Write(System.Text.Encoding.UTF8.GetBytes(line));
        }
    }
}
