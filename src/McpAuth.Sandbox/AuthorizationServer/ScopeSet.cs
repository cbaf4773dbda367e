namespace McpAuth.Sandbox;

/// <summary>An RFC 6749 §3.3 scope: a set of space-delimited, case-sensitive strings.</summary>
internal sealed class ScopeSet
{
    private readonly SortedSet<string> _values;

    private ScopeSet(SortedSet<string> values) => _values = values;

    public static ScopeSet Empty { get; } = new([]);

    public static ScopeSet Parse(string? scope) =>
        new(new SortedSet<string>(scope?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [], StringComparer.Ordinal));

    public IReadOnlyCollection<string> Values => _values;

    public bool IsEmpty => _values.Count == 0;

    public bool Contains(string scope) => _values.Contains(scope);

    public bool IsSubsetOf(ScopeSet other) => _values.IsSubsetOf(other._values);

    public ScopeSet Union(ScopeSet other) => new(new SortedSet<string>(_values.Union(other._values), StringComparer.Ordinal));

    public override string ToString() => string.Join(' ', _values);
}
