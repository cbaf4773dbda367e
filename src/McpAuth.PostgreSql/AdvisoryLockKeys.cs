using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using McpAuth.Storage;

namespace McpAuth.PostgreSql;

/// <summary>
/// Maps lock names to PostgreSQL advisory lock keys (bigint): the first 8 bytes of SHA-256 over a label, the schema and
/// the name. Stable across processes, machines and versions; two schemas in one database never share a lock.
/// </summary>
internal static class AdvisoryLockKeys
{
    public static long ForEntry(string schema, StoreKey key) => Hash($"entry\n{schema}\n{key.Kind}\n{key.Id}");

    public static long ForMigration(string schema) => Hash($"migration\n{schema}");

    private static long Hash(string name) =>
        BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes("mcpauth advisory lock\n" + name)));
}
