using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace McpAuth.Sandbox;

/// <summary>
/// Token endpoint responses in the shapes GitHub, Slack and NetSuite send (sources on <see cref="SandboxQuirks"/>);
/// null from both methods means "the standard RFC 6749 §5.1 / §5.2 response".
/// </summary>
internal static class ProviderTokenResponses
{
    /// <summary>A success in the provider's shape, or null for the standard one.</summary>
    public static Task? WriteTokens(HttpContext context, IssuedTokens tokens, string? grantType, SandboxQuirks quirks)
    {
        Action<Utf8JsonWriter>? body =
            quirks.SlackResponses ? writer => WriteSlack(writer, tokens, grantType)
            : quirks.GitHubResponses ? writer => WriteGitHub(writer, tokens)
            : quirks.NetSuiteResponses ? writer => WriteNetSuite(writer, tokens)
            : null;
        if (body is null)
        {
            return null;
        }
        JsonResponses.NoStore(context);
        return JsonResponses.WriteAsync(context, StatusCodes.Status200OK, body);
    }

    /// <summary>An error in the provider's shape (HTTP 200 for Slack and GitHub), or null for the standard one.</summary>
    public static Task? WriteError(HttpContext context, OAuthError error, string? grantType, SandboxQuirks quirks)
    {
        if (quirks.SlackResponses)
        {
            JsonResponses.NoStore(context);
            return JsonResponses.WriteAsync(context, StatusCodes.Status200OK, writer =>
            {
                writer.WriteBoolean("ok", false);
                writer.WriteString("error", SlackError(error.Code, grantType));
            });
        }
        if (quirks.GitHubResponses)
        {
            JsonResponses.NoStore(context);
            return JsonResponses.WriteAsync(context, StatusCodes.Status200OK, writer =>
            {
                writer.WriteString("error", GitHubError(error.Code, grantType));
                writer.WriteString("error_description", error.Description);
                writer.WriteString("error_uri", "https://docs.github.com/apps/troubleshooting-authorization-request-errors");
            });
        }
        return null;
    }

    /// <summary>
    /// Slack: the code exchange nests the user's token in <c>authed_user</c> (the top level would hold a bot token,
    /// absent for a user-token-only app); a refresh answers at the top level; both say <c>token_type: user</c>.
    /// </summary>
    private static void WriteSlack(Utf8JsonWriter writer, IssuedTokens tokens, string? grantType)
    {
        writer.WriteBoolean("ok", true);
        writer.WriteString("app_id", "A0SANDBOX");
        if (grantType == SandboxGrantTypes.AuthorizationCode)
        {
            writer.WriteStartObject("authed_user");
            writer.WriteString("id", "U0SANDBOX");
            WriteSlackTokens(writer, tokens);
            writer.WriteEndObject();
        }
        else
        {
            WriteSlackTokens(writer, tokens);
        }
        writer.WriteStartObject("team");
        writer.WriteString("id", "T0SANDBOX");
        writer.WriteString("name", "Sandbox");
        writer.WriteEndObject();
        writer.WriteNull("enterprise");
        writer.WriteBoolean("is_enterprise_install", false);
    }

    private static void WriteSlackTokens(Utf8JsonWriter writer, IssuedTokens tokens)
    {
        writer.WriteString("scope", tokens.Scope.ToString());
        writer.WriteString("access_token", tokens.AccessToken);
        writer.WriteString("token_type", "user");
        writer.WriteNumber("expires_in", Seconds(tokens));
        if (tokens.RefreshToken is not null)
        {
            writer.WriteString("refresh_token", tokens.RefreshToken);
        }
    }

    /// <summary>GitHub: lower-case <c>bearer</c>, <c>refresh_token_expires_in</c>, an empty <c>scope</c> for GitHub Apps.</summary>
    private static void WriteGitHub(Utf8JsonWriter writer, IssuedTokens tokens)
    {
        writer.WriteString("access_token", tokens.AccessToken);
        writer.WriteNumber("expires_in", Seconds(tokens));
        if (tokens.RefreshToken is not null)
        {
            writer.WriteString("refresh_token", tokens.RefreshToken);
            writer.WriteNumber("refresh_token_expires_in", 15_897_600);
        }
        writer.WriteString("token_type", "bearer");
        writer.WriteString("scope", tokens.Scope.ToString());
    }

    /// <summary>NetSuite: <c>expires_in</c> as a string, and members it has no value for sent as <c>null</c>.</summary>
    private static void WriteNetSuite(Utf8JsonWriter writer, IssuedTokens tokens)
    {
        writer.WriteString("access_token", tokens.AccessToken);
        if (tokens.RefreshToken is not null)
        {
            writer.WriteString("refresh_token", tokens.RefreshToken);
        }
        writer.WriteString("expires_in", Seconds(tokens).ToString(System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteString("token_type", "bearer");
        writer.WriteNull("scope");
        writer.WriteNull("id_token");
    }

    private static long Seconds(IssuedTokens tokens) => (long)Math.Ceiling(tokens.ExpiresIn.TotalSeconds);

    /// <summary>Slack's error names (https://api.slack.com/methods/oauth.v2.access#errors).</summary>
    private static string SlackError(string code, string? grantType) => code switch
    {
        "invalid_grant" => grantType == SandboxGrantTypes.RefreshToken ? "invalid_refresh_token" : "invalid_code",
        "invalid_client" => "invalid_client_id",
        _ => code,
    };

    /// <summary>GitHub's error names (sources on <see cref="SandboxQuirks.GitHubResponses"/>).</summary>
    private static string GitHubError(string code, string? grantType) => code switch
    {
        "invalid_grant" => grantType == SandboxGrantTypes.RefreshToken ? "bad_refresh_token" : "bad_verification_code",
        "invalid_client" => "incorrect_client_credentials",
        _ => code,
    };
}
