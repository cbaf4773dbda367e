using System.Text.Json;

namespace McpAuth.ConformanceClient;

/// <summary>What the conformance suite passes in MCP_CONFORMANCE_CONTEXT (JSON); every member optional.</summary>
internal sealed class ScenarioContext
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static ScenarioContext FromEnvironment()
    {
        var context = new ScenarioContext();
        var json = Environment.GetEnvironmentVariable("MCP_CONFORMANCE_CONTEXT");
        if (string.IsNullOrWhiteSpace(json))
        {
            return context;
        }
        using var document = JsonDocument.Parse(json);
        foreach (var member in document.RootElement.EnumerateObject())
        {
            if (member.Value.ValueKind == JsonValueKind.String)
            {
                context._values[member.Name] = member.Value.GetString()!;
            }
        }
        return context;
    }

    public string? this[string name] => _values.TryGetValue(name, out var value) ? value : null;
}
