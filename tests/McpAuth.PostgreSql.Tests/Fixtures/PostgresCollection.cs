using McpAuth.IntegrationTests.Fixtures;

namespace McpAuth.PostgreSql.Tests.Fixtures;

/// <summary>One PostgreSQL server for every test class in this project; each test uses a schema of its own.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
