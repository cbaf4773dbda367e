namespace McpAuth.Protocol;

/// <summary>One challenge of a <c>WWW-Authenticate</c> header (RFC 9110 §11.6.1).</summary>
/// <param name="Scheme">The auth scheme, as sent (compare case-insensitively).</param>
/// <param name="Parameters">The auth-params; names lower-cased, quoted values unescaped.</param>
/// <param name="Token68">The token68 form, when the challenge used it instead of parameters.</param>
public sealed record AuthenticationChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters, string? Token68 = null)
{
    /// <summary>True when the challenge uses <paramref name="scheme"/> (case-insensitive, RFC 9110 §11.1).</summary>
    public bool IsScheme(string scheme) => string.Equals(Scheme, scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>The value of the auth-param <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? Get(string name) => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>RFC 6750 §3 <c>error</c>.</summary>
    public string? Error => Get("error");

    /// <summary>RFC 6750 §3 <c>error_description</c>.</summary>
    public string? ErrorDescription => Get("error_description");

    /// <summary>RFC 6750 §3 <c>scope</c>: the scopes the resource needs.</summary>
    public string? Scope => Get("scope");

    /// <summary>RFC 9728 §5.1 <c>resource_metadata</c>: the protected resource metadata URL, when an absolute http(s) URL.</summary>
    public Uri? ResourceMetadata =>
        Get("resource_metadata") is { } text && Uri.TryCreate(text, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) ? uri : null;

    /// <summary>RFC 9449 §7.1 <c>algs</c>: the DPoP algorithms the resource accepts.</summary>
    public IReadOnlyList<string> DPoPAlgorithms =>
        Get("algs")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
}

/// <summary>
/// Parses <c>WWW-Authenticate</c> values per RFC 9110 §11.6.1: several challenges in one value, quoted strings
/// with commas and escapes, token68, and challenges spread over several header lines.
/// </summary>
public static class WwwAuthenticate
{
    /// <summary>Parses every challenge in <paramref name="headerValues"/>.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.InvalidChallenge"/> on a malformed value.</exception>
    public static IReadOnlyList<AuthenticationChallenge> Parse(IEnumerable<string> headerValues)
    {
        ArgumentNullException.ThrowIfNull(headerValues);
        var result = new List<AuthenticationChallenge>();
        foreach (var value in headerValues)
        {
            result.AddRange(Parse(value));
        }
        return result;
    }

    /// <summary>Parses every challenge in one header value.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.InvalidChallenge"/> on a malformed value.</exception>
    public static IReadOnlyList<AuthenticationChallenge> Parse(string headerValue)
    {
        ArgumentNullException.ThrowIfNull(headerValue);
        var parser = new Parser(headerValue);
        return parser.ParseAll();
    }

    /// <summary>Like <see cref="Parse(IEnumerable{string})"/>, but null instead of an exception.</summary>
    public static IReadOnlyList<AuthenticationChallenge>? TryParse(IEnumerable<string> headerValues)
    {
        try
        {
            return Parse(headerValues);
        }
        catch (McpAuthException)
        {
            return null;
        }
    }

    private ref struct Parser(string text)
    {
        private readonly string _s = text;
        private int _i;

        public List<AuthenticationChallenge> ParseAll()
        {
            var challenges = new List<AuthenticationChallenge>();
            while (true)
            {
                SkipSeparators();
                if (_i >= _s.Length)
                {
                    return challenges;
                }
                challenges.Add(ParseChallenge());
            }
        }

        private AuthenticationChallenge ParseChallenge()
        {
            var scheme = ReadToken() ?? throw Malformed("expected an auth scheme");
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            SkipSpaces();
            if (_i >= _s.Length || _s[_i] == ',')
            {
                return new AuthenticationChallenge(scheme, parameters);
            }
            if (TryReadToken68(out var token68))
            {
                return new AuthenticationChallenge(scheme, parameters, token68);
            }
            while (true)
            {
                var name = ReadToken() ?? throw Malformed("expected an auth-param name");
                SkipSpaces();
                if (_i >= _s.Length || _s[_i] != '=')
                {
                    throw Malformed("expected '=' after an auth-param name");
                }
                _i++;
                SkipSpaces();
                var value = _i < _s.Length && _s[_i] == '"' ? ReadQuoted() : ReadToken() ?? throw Malformed("expected an auth-param value");
                parameters.TryAdd(name.ToLowerInvariant(), value);
                SkipSpaces();
                if (_i >= _s.Length)
                {
                    break;
                }
                if (_s[_i] != ',')
                {
                    throw Malformed("expected ',' between auth-params");
                }
                // After a comma: another auth-param (token BWS '=') or the next challenge.
                var mark = _i;
                SkipSeparators();
                if (_i >= _s.Length)
                {
                    break;
                }
                if (!NextIsParameter())
                {
                    _i = mark;
                    break;
                }
            }
            return new AuthenticationChallenge(scheme, parameters);
        }

        private bool NextIsParameter()
        {
            var save = _i;
            var token = ReadToken();
            SkipSpaces();
            var isParameter = token is not null && _i < _s.Length && _s[_i] == '=';
            _i = save;
            return isParameter;
        }

        /// <summary>token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=", ending the challenge.</summary>
        private bool TryReadToken68(out string token68)
        {
            var start = _i;
            var j = _i;
            while (j < _s.Length && (char.IsAsciiLetterOrDigit(_s[j]) || _s[j] is '-' or '.' or '_' or '~' or '+' or '/'))
            {
                j++;
            }
            if (j == start)
            {
                token68 = "";
                return false;
            }
            while (j < _s.Length && _s[j] == '=')
            {
                j++;
            }
            var end = j;
            while (j < _s.Length && _s[j] is ' ' or '\t')
            {
                j++;
            }
            // A token68 ends the challenge: the value's end or a comma follows. "realm=x" continues, so it is a param.
            if (j < _s.Length && _s[j] != ',')
            {
                token68 = "";
                return false;
            }
            token68 = _s[start..end];
            _i = j;
            return true;
        }

        private string? ReadToken()
        {
            var start = _i;
            while (_i < _s.Length && IsTChar(_s[_i]))
            {
                _i++;
            }
            return _i > start ? _s[start.._i] : null;
        }

        private string ReadQuoted()
        {
            _i++; // opening quote
            var builder = new System.Text.StringBuilder();
            while (_i < _s.Length)
            {
                var c = _s[_i++];
                if (c == '"')
                {
                    return builder.ToString();
                }
                if (c == '\\')
                {
                    if (_i >= _s.Length)
                    {
                        break;
                    }
                    c = _s[_i++];
                }
                builder.Append(c);
            }
            throw Malformed("unterminated quoted string");
        }

        private void SkipSpaces()
        {
            while (_i < _s.Length && _s[_i] is ' ' or '\t')
            {
                _i++;
            }
        }

        private void SkipSeparators()
        {
            while (_i < _s.Length && _s[_i] is ' ' or '\t' or ',')
            {
                _i++;
            }
        }

        private static bool IsTChar(char c) =>
            char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.'
                or '^' or '_' or '`' or '|' or '~';

        private static McpAuthException Malformed(string why) => new(McpAuthErrorCode.InvalidChallenge, why);
    }
}
