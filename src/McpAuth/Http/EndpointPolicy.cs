using System.Net;
using System.Net.Sockets;
using McpAuth.Protocol;

namespace McpAuth.Http;

/// <summary>
/// Which URLs McpAuth will send a request to. Secure by default: HTTPS everywhere except loopback (OAuth 2.1 §1.5,
/// MCP authorization "Communication Security"), never link-local or cloud-metadata addresses unless explicitly allowed.
/// </summary>
public static class EndpointPolicy
{
    private static readonly string[] MetadataHostNames =
    [
        "metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal",
    ];

    /// <summary>True when <paramref name="uri"/> names the local machine (localhost, 127.0.0.0/8, ::1).</summary>
    public static bool IsLoopback(Uri uri) => Loopback.IsLoopback(uri);

    /// <summary>
    /// Throws unless <paramref name="uri"/> may receive an OAuth request.
    /// </summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.UnsupportedScheme"/>, <see cref="McpAuthErrorCode.InsecureEndpoint"/> or
    /// <see cref="McpAuthErrorCode.ForbiddenAddress"/>.
    /// </exception>
    public static void Validate(Uri uri, bool allowForbiddenAddresses = false)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new McpAuthException(McpAuthErrorCode.UnsupportedScheme) { Endpoint = uri.IsAbsoluteUri ? Redact(uri) : null };
        }
        if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri))
        {
            throw new McpAuthException(McpAuthErrorCode.InsecureEndpoint, Redact(uri).ToString()) { Endpoint = Redact(uri) };
        }
        if (!allowForbiddenAddresses && IsForbiddenHost(uri.IdnHost))
        {
            throw new McpAuthException(McpAuthErrorCode.ForbiddenAddress, Redact(uri).Host) { Endpoint = Redact(uri) };
        }
    }

    /// <summary>True for link-local (169.254.0.0/16, fe80::/10), cloud metadata addresses and names.</summary>
    public static bool IsForbiddenHost(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var trimmed = host.Trim('[', ']').TrimEnd('.');
        if (MetadataHostNames.Contains(trimmed, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }
        return IPAddress.TryParse(trimmed, out var address) && IsForbiddenAddress(address);
    }

    /// <summary>True for link-local and cloud metadata IP addresses, including IPv4-mapped forms.</summary>
    public static bool IsForbiddenAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var bytes = address.GetAddressBytes();
            // 169.254.0.0/16 link-local (AWS/GCP/Azure metadata at 169.254.169.254), 100.100.100.200 (Alibaba).
            return (bytes[0] == 169 && bytes[1] == 254) || address.Equals(IPAddress.Parse("100.100.100.200"))
                || (bytes[0] == 0);
        }
        // fe80::/10 link-local, fd00:ec2::254 (AWS IMDS over IPv6).
        return address.IsIPv6LinkLocal || address.Equals(IPAddress.Parse("fd00:ec2::254"));
    }

    /// <summary>The URL without its query and fragment, safe to log and to put in errors.</summary>
    public static Uri Redact(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri)
        {
            return uri;
        }
        var builder = new UriBuilder(uri) { Query = string.Empty, Fragment = string.Empty, UserName = string.Empty, Password = string.Empty };
        return builder.Uri;
    }
}
