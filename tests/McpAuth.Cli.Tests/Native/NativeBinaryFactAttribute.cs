namespace McpAuth.Cli.Tests.Native;

/// <summary>
/// A fact about the published NativeAOT <c>mcpauth</c>, found through <see cref="Variable"/> (scripts/test publishes it
/// with scripts/publish-native and sets the variable). Without the variable the test is skipped with that reason,
/// never passed: xunit 2 decides a skip when it discovers the test, so the attribute reads the variable then.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class NativeBinaryFactAttribute : FactAttribute
{
    public const string Variable = "MCPAUTH_NATIVE_BIN";

    public NativeBinaryFactAttribute()
    {
        if (string.IsNullOrEmpty(Path))
        {
            Skip = $"{Variable} is not set: run scripts/test, or scripts/publish-native and set {Variable} to the mcpauth it prints.";
        }
    }

    /// <summary>Skips the test, with that reason, on an operating system other than Linux.</summary>
    public bool LinuxOnly
    {
        get => _linuxOnly;
        set
        {
            _linuxOnly = value;
            if (value && !OperatingSystem.IsLinux())
            {
                Skip ??= "checks a property of the Linux (ELF) executable";
            }
        }
    }

    private bool _linuxOnly;

    /// <summary>The native executable under test (null when <see cref="Variable"/> is unset).</summary>
    public static string? Path => Environment.GetEnvironmentVariable(Variable);
}
