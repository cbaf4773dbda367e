using System.Net;
using System.Text;

namespace McpAuth.Tests.Orchestration;

/// <summary>One request the fake saw, with its body read.</summary>
internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, string? Body, Dictionary<string, string> Headers)
{
    public string Key => $"{Method} {Uri.GetLeftPart(UriPartial.Path)}";

    public Dictionary<string, string> Form() => (Body ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(p => p.Split('=', 2))
        .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));

    public Dictionary<string, string> Query() => Uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(p => p.Split('=', 2))
        .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
}

/// <summary>
/// A recording fake: answers only the routes it was given ("METHOD url-without-query") and throws on anything else,
/// so a test fails on a request it did not expect.
/// </summary>
internal sealed class FakeHttp : HttpMessageHandler
{
    private readonly Dictionary<string, Func<RecordedRequest, HttpResponseMessage>> _routes = new(StringComparer.Ordinal);

    public List<RecordedRequest> Requests { get; } = [];

    public IEnumerable<string> Keys => Requests.Select(r => r.Key);

    public FakeHttp On(string method, string url, Func<RecordedRequest, HttpResponseMessage> respond)
    {
        _routes[$"{method} {url}"] = respond;
        return this;
    }

    public FakeHttp OnJson(string method, string url, string json, int status = 200) => On(method, url, _ => Json(json, status));

    public static HttpResponseMessage Json(string json, int status = 200) =>
        new((HttpStatusCode)status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Status(int status) => new((HttpStatusCode)status) { Content = new StringContent("") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var recorded = new RecordedRequest(request.Method, request.RequestUri!, body, headers);
        lock (Requests)
        {
            Requests.Add(recorded);
        }
        return _routes.TryGetValue(recorded.Key, out var respond)
            ? respond(recorded)
            : throw new InvalidOperationException($"unexpected request {recorded.Key}");
    }
}
