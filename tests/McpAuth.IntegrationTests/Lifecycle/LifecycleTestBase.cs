using System.Net;
using System.Text;

namespace McpAuth.IntegrationTests.Lifecycle;

/// <summary>Private store homes per test, removed afterwards, and one authorized MCP call.</summary>
public abstract class LifecycleTestBase : IDisposable
{
    private readonly List<string> _homes = [];

    protected string NewHome()
    {
        var home = Path.Combine(Path.GetTempPath(), "mcpauth-lifecycle-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(home);
        _homes.Add(home);
        return home;
    }

    /// <summary>A JSON-RPC ping through the handler; the status code the MCP server finally answered.</summary>
    internal static async Task<HttpStatusCode> PingAsync(LifecycleClient client, Uri server)
    {
        using var http = client.McpHttp(server);
        using var content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(server, content);
        return response.StatusCode;
    }

    public void Dispose()
    {
        foreach (var home in _homes)
        {
            try
            {
                Directory.Delete(home, recursive: true);
            }
            catch (IOException)
            {
            }
        }
        GC.SuppressFinalize(this);
    }
}
