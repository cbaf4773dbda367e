using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace McpAuth.Sandbox;

/// <summary>
/// The parameters of a request, read strictly: RFC 6749 §3.1 and §3.2 say parameters sent without a value are
/// treated as omitted and that a parameter MUST NOT be included more than once.
/// </summary>
internal sealed class FormRequest
{
    private readonly Dictionary<string, StringValues> _values;

    private FormRequest(Dictionary<string, StringValues> values) => _values = values;

    /// <summary>Reads a POST body; null when it is not a well-formed <c>application/x-www-form-urlencoded</c> one.</summary>
    public static async Task<FormRequest?> ReadBodyAsync(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method) || !request.HasFormContentType
            || !request.ContentType!.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        try
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
            return From(form);
        }
        catch (InvalidDataException)
        {
            return null; // a malformed body is answered like a wrong content type: invalid_request
        }
    }

    public static FormRequest FromQuery(IQueryCollection query) => From(query);

    private static FormRequest From(IEnumerable<KeyValuePair<string, StringValues>> pairs)
    {
        var values = new Dictionary<string, StringValues>(StringComparer.Ordinal);
        foreach (var (name, value) in pairs)
        {
            var present = value.Where(v => !string.IsNullOrEmpty(v)).ToArray();
            if (present.Length > 0)
            {
                values[name] = present;
            }
        }
        return new FormRequest(values);
    }

    /// <summary>The first parameter, other than <paramref name="repeatable"/>, sent more than once; null when none.</summary>
    public string? FindDuplicate(params string[] repeatable) =>
        _values.FirstOrDefault(pair => pair.Value.Count > 1 && !repeatable.Contains(pair.Key)).Key;

    public bool IsRepeated(string name) => _values.TryGetValue(name, out var value) && value.Count > 1;

    public string? Get(string name) => _values.TryGetValue(name, out var value) ? value[0] : null;

    public IReadOnlyList<string> GetAll(string name) =>
        _values.TryGetValue(name, out var value) ? Array.ConvertAll(value.ToArray(), v => v!) : [];

    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>The parameter names present.</summary>
    public IEnumerable<string> Names => _values.Keys;
}
