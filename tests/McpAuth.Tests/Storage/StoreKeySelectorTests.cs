using McpAuth.Storage.Keys;

namespace McpAuth.Tests.Storage;

public sealed class StoreKeySelectorTests : IDisposable
{
    private readonly TempHome _home = new();

    private string Marker => Path.Combine(_home.Path, "store.key-protection");

    [Fact]
    public void The_first_available_protector_wins_and_creates_a_key()
    {
        var os = new FakeProtector("libsecret", available: true);
        var file = new FakeProtector("key-file", available: true);
        var choice = StoreKeySelector.Choose([os, file], Marker);
        Assert.Equal("libsecret", choice.Protection);
        Assert.Null(choice.FallbackReason);
        Assert.Equal(32, choice.Key.Length);
        Assert.Equal(choice.Key, os.Key);
        Assert.Null(file.Key);
    }

    [Fact]
    public void An_unavailable_os_store_falls_back_to_the_key_file_and_reports_why()
    {
        var os = new FakeProtector("libsecret", available: false, reason: "no D-Bus session bus");
        var file = new FakeProtector("key-file", available: true);
        var choice = StoreKeySelector.Choose([os, file], Marker);
        Assert.Equal("key-file", choice.Protection);
        Assert.Equal("no D-Bus session bus", choice.FallbackReason);
        Assert.Equal(choice.Key, file.Key);
    }

    [Fact]
    public void The_remembered_protector_is_kept_even_when_a_stronger_one_appears()
    {
        var file = new FakeProtector("key-file", available: true);
        var first = StoreKeySelector.Choose([new FakeProtector("libsecret", available: false), file], Marker);
        var os = new FakeProtector("libsecret", available: true);
        var second = StoreKeySelector.Choose([os, file], Marker);
        Assert.Equal("key-file", second.Protection);
        Assert.Equal(first.Key, second.Key);
        Assert.Null(os.Key);
    }

    [Fact]
    public void A_remembered_protector_that_is_unavailable_now_is_an_error_not_a_new_key()
    {
        StoreKeySelector.Choose([new FakeProtector("libsecret", available: true), new FakeProtector("key-file", available: true)], Marker);
        var file = new FakeProtector("key-file", available: true);
        var error = Assert.Throws<McpAuthException>(
            () => StoreKeySelector.Choose([new FakeProtector("libsecret", available: false, reason: "no bus"), file], Marker));
        Assert.Equal(McpAuthErrorCode.StoreKeyUnavailable, error.Code);
        Assert.Contains("no bus", error.Message, StringComparison.Ordinal);
        Assert.Null(file.Key);
    }

    [Fact]
    public void Without_a_marker_an_existing_key_file_is_preferred_over_a_new_os_key()
    {
        var existing = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var os = new FakeProtector("libsecret", available: true);
        var file = new FakeProtector("key-file", available: true) { Key = existing };
        var choice = StoreKeySelector.Choose([os, file], Marker);
        Assert.Equal(("key-file", existing), (choice.Protection, choice.Key));
        Assert.Null(os.Key);
        Assert.Equal("key-file", File.ReadAllText(Marker).Trim());
    }

    [Fact]
    public void An_existing_key_is_loaded_not_replaced()
    {
        var existing = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var file = new FakeProtector("key-file", available: true) { Key = existing };
        Assert.Equal(existing, StoreKeySelector.Choose([file], Marker).Key);
        Assert.Equal(0, file.Saves);
    }

    [Fact]
    public void A_stored_key_of_the_wrong_length_is_StoreKeyUnavailable()
    {
        var file = new FakeProtector("key-file", available: true) { Key = new byte[7] };
        Assert.Equal(McpAuthErrorCode.StoreKeyUnavailable, Assert.Throws<McpAuthException>(() => StoreKeySelector.Choose([file], Marker)).Code);
    }

    [Fact]
    public void The_key_file_round_trips_and_is_private()
    {
        var protector = new KeyFileProtector(Path.Combine(_home.Path, "store.key"));
        Assert.Null(protector.LoadKey());
        var key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        protector.SaveKey(key);
        Assert.Equal(key, protector.LoadKey());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(protector.Path));
        }
    }

    public void Dispose() => _home.Dispose();

    [Fact]
    public void The_remembered_key_is_loaded_without_choosing_again()
    {
        var file = new FakeProtector("key-file", available: true);
        var chosen = StoreKeySelector.Choose([new FakeProtector("libsecret", available: false), file], Marker);

        var loaded = StoreKeySelector.TryLoadRemembered([new FakeProtector("libsecret", available: true), file], Marker);

        Assert.NotNull(loaded);
        Assert.Equal("key-file", loaded.Protection);
        Assert.Equal(chosen.Key, loaded.Key);
        Assert.Equal(1, file.Saves);
    }

    [Fact]
    public void Anything_but_a_remembered_well_formed_key_is_left_to_the_locked_choice()
    {
        var file = new FakeProtector("key-file", available: true);
        Assert.Null(StoreKeySelector.TryLoadRemembered([file], Marker)); // no marker yet

        StoreKeySelector.Choose([file], Marker);
        Assert.Null(StoreKeySelector.TryLoadRemembered([new FakeProtector("libsecret", available: true)], Marker)); // not offered
        Assert.Null(StoreKeySelector.TryLoadRemembered([new FakeProtector("key-file", available: false)], Marker)); // unavailable
        Assert.Null(StoreKeySelector.TryLoadRemembered([new FakeProtector("key-file", available: true)], Marker)); // no key
        Assert.Null(StoreKeySelector.TryLoadRemembered([new FakeProtector("key-file", available: true) { Key = new byte[16] }], Marker));
        Assert.Equal(1, file.Saves);
    }

    private sealed class FakeProtector(string name, bool available, string? reason = null) : IKeyProtector
    {
        public byte[]? Key { get; set; }

        public int Saves { get; private set; }

        public string Name => name;

        public bool IsAvailable(out string? why)
        {
            why = available ? null : reason ?? name + " unavailable";
            return available;
        }

        public byte[]? LoadKey() => Key;

        public void SaveKey(byte[] key)
        {
            Key = key;
            Saves++;
        }
    }
}
