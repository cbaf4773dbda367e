using System.Text;

namespace McpAuth.Hardening.Tests.Fuzz;

/// <summary>
/// Turns a valid document into a hostile one: flipped bytes, truncation, duplicated keys, wrong types, huge numbers,
/// deep nesting, invalid UTF-8, random quoting. One to four mutations per case, chosen by the case's own Random.
/// </summary>
public static class Mutator
{
    private static readonly string[] Values =
    [
        "1e400", "-1e400", "-1", "0", "99999999999999999999999", "9223372036854775807", "-9223372036854775808", "1.5", "NaN",
        "true", "false", "null", "[]", "{}", "\"\"", "\"x\"", "[1,2]", "[\"a\",null]", "{\"a\":{\"b\":[]}}", "\"\\ud800\"",
        "\"\\udc00x\"", "\"\\u0000\"", "\"javascript:alert(1)\"", "\"file:///etc/passwd\"", "\"/relative\"", "\"http://[::1\"",
        "\"https://169.254.169.254/\"", "\"\\\"\"", "\"" + new string('a', 5000) + "\"",
    ];

    private static readonly byte[][] Garbage =
    [
        [0xff], [0xfe, 0xff], [0xc3, 0x28], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80], [0x00], [0xc0, 0xaf],
        "\""u8.ToArray(), "\\"u8.ToArray(), ","u8.ToArray(), "{"u8.ToArray(), "}"u8.ToArray(), "["u8.ToArray(), ":"u8.ToArray(),
        "=\""u8.ToArray(), "%"u8.ToArray(), "%zz"u8.ToArray(), "%ff"u8.ToArray(), "&"u8.ToArray(), "#"u8.ToArray(), "\r\n"u8.ToArray(),
    ];

    /// <summary>A mutated copy of one of <paramref name="seeds"/>.</summary>
    public static byte[] Mutate(Random random, IReadOnlyList<byte[]> seeds)
    {
        var data = new List<byte>(seeds[random.Next(seeds.Count)]);
        var count = 1 + random.Next(4);
        for (var i = 0; i < count; i++)
        {
            Apply(random, data);
        }
        return [.. data];
    }

    private static void Apply(Random random, List<byte> data)
    {
        switch (random.Next(11))
        {
            case 0 when data.Count > 0: // flip bits
                data[random.Next(data.Count)] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when data.Count > 0: // truncate
                var cut = random.Next(data.Count);
                data.RemoveRange(cut, data.Count - cut);
                break;
            case 2: // insert garbage (invalid UTF-8, quotes, separators)
                data.InsertRange(random.Next(data.Count + 1), Garbage[random.Next(Garbage.Length)]);
                break;
            case 3 when data.Count > 1: // duplicate a range (duplicate keys, repeated parameters)
                var start = random.Next(data.Count);
                var length = Math.Min(random.Next(1, 64), data.Count - start);
                data.InsertRange(random.Next(data.Count + 1), data.GetRange(start, length));
                break;
            case 4: // replace a JSON value with one of another type or out of range
                ReplaceValue(random, data);
                break;
            case 5: // deep nesting
                var depth = random.Next(2) == 0 ? random.Next(10, 40) : random.Next(1000, 20000);
                var at = random.Next(data.Count + 1);
                var open = random.Next(2) == 0 ? "[" : "{\"a\":";
                data.InsertRange(at, Encoding.UTF8.GetBytes(new StringBuilder().Insert(0, open, depth).ToString()));
                break;
            case 6 when data.Count > 0: // delete a range
                var from = random.Next(data.Count);
                data.RemoveRange(from, Math.Min(random.Next(1, 16), data.Count - from));
                break;
            case 7: // duplicate a key of a JSON object
                DuplicateKey(random, data);
                break;
            case 8 when data.Count > 0: // random byte
                data[random.Next(data.Count)] = (byte)random.Next(256);
                break;
            case 9: // a huge repetition
                data.InsertRange(random.Next(data.Count + 1), Enumerable.Repeat((byte)"a,\"= %"[random.Next(6)], random.Next(1, 20000)));
                break;
            default: // quote or unquote
                var q = data.IndexOf((byte)'"', random.Next(Math.Max(1, data.Count)));
                if (q >= 0)
                {
                    data.RemoveAt(q);
                }
                else
                {
                    data.Insert(random.Next(data.Count + 1), (byte)'"');
                }
                break;
        }
    }

    private static void ReplaceValue(Random random, List<byte> data)
    {
        var text = Encoding.UTF8.GetString([.. data]);
        var colons = Enumerable.Range(0, text.Length).Where(i => text[i] == ':').ToList();
        if (colons.Count == 0)
        {
            return;
        }
        var colon = colons[random.Next(colons.Count)];
        var end = colon + 1;
        var depth = 0;
        var inString = false;
        for (; end < text.Length; end++)
        {
            var c = text[end];
            if (inString)
            {
                if (c == '\\')
                {
                    end++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
                continue;
            }
            if (c == '"')
            {
                inString = true;
            }
            else if (c is '{' or '[')
            {
                depth++;
            }
            else if (c is '}' or ']' && depth-- == 0 || c == ',' && depth == 0)
            {
                break;
            }
        }
        var replaced = text[..(colon + 1)] + Values[random.Next(Values.Length)] + text[Math.Min(end, text.Length)..];
        data.Clear();
        data.AddRange(Encoding.UTF8.GetBytes(replaced));
    }

    private static void DuplicateKey(Random random, List<byte> data)
    {
        var text = Encoding.UTF8.GetString([.. data]);
        var brace = text.IndexOf('{', StringComparison.Ordinal);
        var key = text.IndexOf('"', Math.Max(0, brace));
        if (brace < 0 || key < 0)
        {
            return;
        }
        var keyEnd = text.IndexOf('"', key + 1);
        if (keyEnd < 0)
        {
            return;
        }
        var name = text[key..(keyEnd + 1)];
        var insert = $"{name}:{Values[random.Next(Values.Length)]},";
        data.Clear();
        data.AddRange(Encoding.UTF8.GetBytes(text.Insert(brace + 1, insert)));
    }
}
