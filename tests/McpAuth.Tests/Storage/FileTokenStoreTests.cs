using System.Text;
using McpAuth.Storage;
using McpAuth.Storage.Keys;

namespace McpAuth.Tests.Storage;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FileTokenStoreTests : IDisposable
{
    private const string Secret = "at-VERY-SECRET-0123456789";
    private readonly TempHome _home = new();
    private static CancellationToken None => CancellationToken.None;

    private FileTokenStore Open() => FileTokenStore.Open(new FileTokenStoreOptions { Home = _home.Path });

    private static StoredCredential Credential(string profile = "default") => new()
    {
        Binding = new CredentialBinding(profile, "https://mcp.example/", "https://as.example", "client-1"),
        Tokens = new TokenSet { AccessToken = Secret + profile, RefreshToken = "rt-SECRET-" + profile, ExpiresAt = DateTimeOffset.UnixEpoch.AddDays(30000) },
        TokenEndpoint = "https://as.example/token",
    };

    [Fact]
    public async Task A_new_store_creates_its_key_at_its_first_write_not_when_it_opens_or_misses_a_read()
    {
        var store = Open();
        var keyFile = Path.Combine(_home.Path, "store.key");
        Assert.False(File.Exists(keyFile));
        Assert.Null(await new TokenVault(store).GetCredentialAsync(Credential().Binding, None));
        Assert.False(File.Exists(keyFile));

        await new TokenVault(store).SaveCredentialAsync(Credential(), None);

        Assert.True(File.Exists(keyFile));
        Assert.Equal("key-file", store.KeyProtection);
        Assert.Equal(Credential().Tokens.AccessToken, (await new TokenVault(Open()).GetCredentialAsync(Credential().Binding, None))!.Tokens.AccessToken);
    }

    [Fact]
    public async Task A_new_store_touches_no_disk_until_its_first_write_which_creates_its_folders_private()
    {
        var home = Path.Combine(_home.Path, "new", "home");
        var store = FileTokenStore.Open(new FileTokenStoreOptions { Home = home });
        Assert.Null(await new TokenVault(store).GetCredentialAsync(Credential().Binding, None));
        Assert.Empty(await store.ListAsync(StoreEntryKind.Credential, None));
        Assert.False(Directory.Exists(Path.Combine(_home.Path, "new")));

        await new TokenVault(store).SaveCredentialAsync(Credential(), None);

        Assert.Equal(Credential(), await new TokenVault(FileTokenStore.Open(new FileTokenStoreOptions { Home = home })).GetCredentialAsync(Credential().Binding, None));
        if (!OperatingSystem.IsWindows())
        {
            // The home and the store (a parent the home needed, like ~/.config, is the user's, with the usual mode).
            Assert.All([home, store.Folder, Path.Combine(store.Folder, "Credential")], folder =>
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder)));
        }
    }

    [Fact]
    public async Task A_store_whose_key_cannot_be_loaded_opens_and_its_first_read_says_StoreKeyUnavailable()
    {
        await new TokenVault(Open()).SaveCredentialAsync(Credential(), None);
        File.WriteAllBytes(Path.Combine(_home.Path, "store.key"), [1, 2, 3]);

        var store = Open();
        var error = await Assert.ThrowsAsync<McpAuthException>(() => new TokenVault(store).GetCredentialAsync(Credential().Binding, None).AsTask());

        Assert.Equal(McpAuthErrorCode.StoreKeyUnavailable, error.Code);
        Assert.Equal(McpAuthErrorCode.StoreKeyUnavailable, Assert.Throws<McpAuthException>(() => store.KeyProtection).Code);
    }

    [SkippableFact]
    public async Task Files_are_0600_and_folders_0700()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix modes only; Windows relies on the profile folder's ACL.");
        var store = Open();
        var credential = Credential();
        await new TokenVault(store).SaveCredentialAsync(credential, None);
        await using (await store.LockAsync(StoreKeys.Credential(credential.Binding), TimeSpan.FromSeconds(5), None))
        {
        }
        var files = Directory.EnumerateFiles(_home.Path, "*", SearchOption.AllDirectories).ToList();
        var folders = Directory.EnumerateDirectories(_home.Path, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(store.EntryPath(StoreKeys.Credential(credential.Binding)), files);
        Assert.Contains(Path.Combine(_home.Path, "store.key"), files);
        Assert.True(folders.Count >= 3, string.Join(", ", folders));
        Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
        Assert.All(folders, d => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(d)));
    }

    [Fact]
    public async Task No_token_appears_in_clear_text_on_disk()
    {
        var store = Open();
        var credential = Credential();
        await new TokenVault(store).SaveCredentialAsync(credential, None);
        Assert.Equal(credential, await new TokenVault(store).GetCredentialAsync(credential.Binding, None));
        foreach (var file in Directory.EnumerateFiles(_home.Path, "*", SearchOption.AllDirectories))
        {
            var text = Encoding.Latin1.GetString(File.ReadAllBytes(file));
            Assert.DoesNotContain("SECRET", text, StringComparison.Ordinal);
            Assert.DoesNotContain("as.example", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_corrupt_file_is_named_and_the_others_still_read()
    {
        var store = Open();
        var vault = new TokenVault(store);
        await vault.SaveCredentialAsync(Credential("good"), None);
        await vault.SaveCredentialAsync(Credential("bad"), None);
        var badKey = StoreKeys.Credential(Credential("bad").Binding);
        File.WriteAllBytes(store.EntryPath(badKey), "garbage"u8.ToArray());

        var error = await Assert.ThrowsAsync<McpAuthException>(() => Open().ReadAsync(badKey, None).AsTask());
        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, error.Code);
        Assert.Contains(badKey.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal(Credential("good"), await new TokenVault(Open()).GetCredentialAsync(Credential("good").Binding, None));
        Assert.True(File.Exists(store.EntryPath(badKey)));
    }

    [Fact]
    public async Task An_entry_copied_over_another_fails_to_decrypt()
    {
        var store = Open();
        var vault = new TokenVault(store);
        await vault.SaveCredentialAsync(Credential("alice"), None);
        await vault.SaveCredentialAsync(Credential("bob"), None);
        var alice = StoreKeys.Credential(Credential("alice").Binding);
        var bob = StoreKeys.Credential(Credential("bob").Binding);
        File.Copy(store.EntryPath(alice), store.EntryPath(bob), overwrite: true);

        var error = await Assert.ThrowsAsync<McpAuthException>(() => vault.GetCredentialAsync(Credential("bob").Binding, None).AsTask());
        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, error.Code);
        Assert.Contains(bob.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entries_written_with_another_key_report_the_key_not_corruption()
    {
        var store = Open();
        await new TokenVault(store).SaveCredentialAsync(Credential(), None);
        File.Delete(Path.Combine(_home.Path, "store.key"));
        var reopened = Open();
        var error = await Assert.ThrowsAsync<McpAuthException>(
            () => reopened.ReadAsync(StoreKeys.Credential(Credential().Binding), None).AsTask());
        Assert.Equal(McpAuthErrorCode.StoreKeyUnavailable, error.Code);
    }

    [SkippableFact]
    public void Without_a_session_bus_the_key_falls_back_to_a_key_file_and_says_why()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "The libsecret protector exists on Linux only.");
        var protectors = new IKeyProtector[]
        {
            OsKeyProtector.ForCurrentPlatform(_home.Path, _ => null)!,
            new KeyFileProtector(Path.Combine(_home.Path, "store.key")),
        };
        var store = FileTokenStore.Open(new FileTokenStoreOptions { Home = _home.Path, KeyProtectors = protectors });
        Assert.Equal(KeyProtectionNames.KeyFile, store.KeyProtection);
        Assert.Contains("session bus", store.KeyProtectionNote, StringComparison.Ordinal);
        Assert.Equal(44 + 1, new FileInfo(Path.Combine(_home.Path, "store.key")).Length); // base64 of 32 bytes + newline
    }

    [Fact]
    public void Once_the_key_file_is_chosen_the_default_protectors_skip_the_os_store()
    {
        var before = FileTokenStore.DefaultProtectors(_home.Path);
        Assert.Equal(KeyProtectionNames.KeyFile, before[^1].Name);
        var store = FileTokenStore.Open(new FileTokenStoreOptions { Home = _home.Path, KeyProtectors = [before[^1]] });
        Assert.Equal(KeyProtectionNames.KeyFile, store.KeyProtection);
        var after = FileTokenStore.DefaultProtectors(_home.Path);
        Assert.Equal([KeyProtectionNames.KeyFile], after.Select(p => p.Name));
    }

    [Fact]
    public void Once_the_os_store_is_chosen_the_default_protectors_are_that_one_only()
    {
        var os = OsKeyProtector.ForCurrentPlatform(_home.Path, _ => null); // Linux, macOS and Windows each have one
        Assert.NotNull(os);
        File.WriteAllText(Path.Combine(_home.Path, "store.key-protection"), os.Name + "\n");

        Assert.Equal([os.Name], FileTokenStore.DefaultProtectors(_home.Path).Select(p => p.Name));
    }

    [Fact]
    public async Task Opening_with_the_default_protectors_reads_no_key_choice_until_the_key_is_needed()
    {
        Directory.CreateDirectory(Path.Combine(_home.Path, "store.key-protection")); // a choice that cannot be read

        var store = FileTokenStore.Open(new FileTokenStoreOptions { Home = _home.Path });
        Assert.Null(await new TokenVault(store).GetCredentialAsync(Credential().Binding, None)); // no entry: no key needed

        var error = Assert.Throws<McpAuthException>(() => store.KeyProtection);
        Assert.Equal(McpAuthErrorCode.StoreKeyUnavailable, error.Code);
        Assert.Contains("store.key-protection", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replacing_an_entry_leaves_no_temp_file()
    {
        var store = Open();
        var key = new StoreKey(StoreEntryKind.Discovery, "d");
        for (var i = 0; i < 20; i++)
        {
            await store.WriteAsync(key, Encoding.UTF8.GetBytes("value " + i), None);
        }
        Assert.Equal("value 19"u8.ToArray(), await store.ReadAsync(key, None));
        Assert.Empty(TempFiles());
    }

    [Fact]
    public async Task Temp_files_of_dead_writers_are_swept_before_the_first_change_and_live_ones_kept()
    {
        var store = Open();
        await store.WriteAsync(new StoreKey(StoreEntryKind.Credential, "c"), "v"u8.ToArray(), None);
        var folder = Path.Combine(store.Folder, "Credential");
        var dead = Path.Combine(folder, ".c.entry.999999999.0123456789abcdef.tmp");
        var live = Path.Combine(folder, $".c.entry.{Environment.ProcessId}.0123456789abcdef.tmp");
        File.WriteAllText(dead, "half");
        File.WriteAllText(live, "half");

        var reader = Open();
        Assert.Equal("v"u8.ToArray(), await reader.ReadAsync(new StoreKey(StoreEntryKind.Credential, "c"), None));
        Assert.Equal([new StoreKey(StoreEntryKind.Credential, "c")], await reader.ListAsync(StoreEntryKind.Credential, None));
        Assert.Equal(2, TempFiles().Count); // a reader neither sees nor sweeps them

        await reader.WriteAsync(new StoreKey(StoreEntryKind.Discovery, "d"), "w"u8.ToArray(), None);
        Assert.Equal([live], TempFiles());
        Assert.Equal("v"u8.ToArray(), await store.ReadAsync(new StoreKey(StoreEntryKind.Credential, "c"), None));
    }

    [SkippableFact]
    public async Task A_read_only_folder_gives_StoreUnavailable_and_leaves_nothing_behind()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix modes only; Windows relies on the profile folder's ACL.");
        var store = Open();
        var key = new StoreKey(StoreEntryKind.Credential, "ro");
        await store.WriteAsync(key, "old"u8.ToArray(), None);
        var folder = Path.GetDirectoryName(store.EntryPath(key))!;
        Skip.IfNot(MakeReadOnly(folder), "Running as root on a file system without the immutable attribute: no folder is read-only to root here.");
        try
        {
            var error = await Assert.ThrowsAsync<McpAuthException>(() => store.WriteAsync(key, "new"u8.ToArray(), None).AsTask());
            Assert.Equal(McpAuthErrorCode.StoreUnavailable, error.Code);
            Assert.Contains(key.ToString(), error.Message, StringComparison.Ordinal);
        }
        finally
        {
            MakeWritable(folder);
        }
        Assert.Equal("old"u8.ToArray(), await store.ReadAsync(key, None));
        Assert.Empty(TempFiles());
    }

    [SkippableFact]
    public async Task A_full_disk_gives_StoreUnavailable_keeps_the_old_entry_and_leaves_no_temp_file()
    {
        // Needs a tiny file system: a 256 KiB tmpfs, which only root can mount (the CI machine runs it as root).
        Skip.IfNot(OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess, "Needs root on Linux to mount a 256 KiB tmpfs.");
        var mount = Path.Combine(_home.Path, "small");
        Directory.CreateDirectory(mount);
        Skip.If(TempHome.Run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount) != 0, "This container refuses to mount a tmpfs.");
        try
        {
            var store = FileTokenStore.Open(new FileTokenStoreOptions { Home = mount });
            var key = new StoreKey(StoreEntryKind.Credential, "full");
            await store.WriteAsync(key, "old"u8.ToArray(), None);
            var error = await Assert.ThrowsAsync<McpAuthException>(() => store.WriteAsync(key, new byte[1024 * 1024], None).AsTask());
            Assert.Equal(McpAuthErrorCode.StoreUnavailable, error.Code);
            Assert.Equal("old"u8.ToArray(), await store.ReadAsync(key, None));
            Assert.Empty(Directory.EnumerateFiles(mount, "*.tmp", SearchOption.AllDirectories));
        }
        finally
        {
            TempHome.Run("umount", mount);
        }
    }

    [Fact]
    public void Home_is_MCPAUTH_HOME_when_set_else_under_the_user_config_folder()
    {
        Assert.Equal(Path.GetFullPath("/tmp/x-home"), McpAuthHome.Resolve(name => name == "MCPAUTH_HOME" ? "/tmp/x-home" : null));
        var fallback = McpAuthHome.Resolve(_ => null);
        Assert.Equal("mcpauth", Path.GetFileName(fallback));
        Assert.Equal(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify),
            Path.GetDirectoryName(fallback));
    }

    private List<string> TempFiles() => [.. Directory.EnumerateFiles(_home.Path, "*.tmp", SearchOption.AllDirectories)];

    // Root ignores permission bits, so for root the folder is made immutable instead.
    private static bool MakeReadOnly(string folder)
    {
        if (Environment.IsPrivilegedProcess)
        {
            return TempHome.Run("chattr", "+i", folder) == 0;
        }
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        return true;
    }

    private static void MakeWritable(string folder)
    {
        if (Environment.IsPrivilegedProcess)
        {
            TempHome.Run("chattr", "-i", folder);
        }
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Kind_names_are_the_enum_names_the_store_has_always_persisted()
    {
        Assert.Equal(Enum.GetValues<StoreEntryKind>(), StoreEntryKinds.All);
        foreach (var kind in Enum.GetValues<StoreEntryKind>())
        {
            Assert.Equal(kind.ToString(), StoreEntryKinds.NameOf(kind));
        }
        Assert.Equal("Credential/abc", new StoreKey(StoreEntryKind.Credential, "abc").ToString());
    }
}
