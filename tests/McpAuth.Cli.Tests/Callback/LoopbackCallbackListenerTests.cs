using System.Net;
using System.Net.Sockets;
using McpAuth.Cli.Callback;
using McpAuth.Engine;

namespace McpAuth.Cli.Tests.Callback;

/// <summary>Real HTTP requests to the loopback listener on 127.0.0.1.</summary>
public sealed class LoopbackCallbackListenerTests : ListenerTest
{

    [Fact]
    public void Binds_a_free_loopback_port_and_builds_the_redirect_uri()
    {
        Assert.NotEqual(0, Listener.Port);
        Assert.Equal($"http://127.0.0.1:{Listener.Port}/callback", Listener.RedirectUri.AbsoluteUri);
    }

    [Fact]
    public async Task Routes_each_redirect_to_the_flow_with_its_state()
    {
        using var first = TestFlow.Start(Listener.Registry, "state-one");
        using var second = TestFlow.Start(Listener.Registry, "state-two");

        var answer = SendAsync("?code=code-two&state=state-two");
        var received = await second.ReceivedCallbackAsync();
        second.Succeed();
        var response = await answer;

        Assert.Equal("code-two", received.Code);
        Assert.False(first.Received.IsCompleted);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Logged in", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Refuses_a_replayed_state()
    {
        using var flow = TestFlow.Start(Listener.Registry, "once");
        var firstAnswer = SendAsync("?code=c&state=once");
        await flow.Received.WaitAsync(TimeSpan.FromSeconds(10));
        flow.Succeed();
        Assert.Equal(HttpStatusCode.OK, (await firstAnswer).StatusCode);

        var replay = await SendAsync("?code=c&state=once");

        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Contains("already used", await replay.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Refuses_an_unknown_state_and_leaves_pending_flows_alone()
    {
        using var flow = TestFlow.Start(Listener.Registry, "known");

        var response = await SendAsync("?code=c&state=forged");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("does not belong to any login", await response.Content.ReadAsStringAsync());
        Assert.False(flow.Received.IsCompleted);
    }

    [Fact]
    public async Task Refuses_a_request_that_is_not_an_authorization_response()
    {
        var response = await SendAsync("?state=only");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Encodes_hostile_server_text_on_the_page()
    {
        using var flow = TestFlow.Start(Listener.Registry, "hostile");
        var answer = SendAsync("?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state=hostile");
        var received = await flow.ReceivedCallbackAsync();
        flow.Fail(new McpAuthException(McpAuthErrorCode.AuthorizationDenied) { OAuthError = received.Error, OAuthErrorDescription = received.ErrorDescription });
        var response = await answer;
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal("<script>alert(1)</script>", received.ErrorDescription);
        Assert.DoesNotContain("<script>alert", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Page_replaces_the_address_and_is_locked_down()
    {
        using var flow = TestFlow.Start(Listener.Registry, "headers");
        var answer = SendAsync("?code=c&state=headers");
        await flow.Received.WaitAsync(TimeSpan.FromSeconds(10));
        flow.Succeed();
        var response = await answer;
        var html = await response.Content.ReadAsStringAsync();

        Assert.Contains("history.replaceState(null, \"\", \"/done\")", html);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var nonce = csp.Split("'nonce-")[1].Split('\'')[0];
        Assert.Contains($"<script nonce=\"{nonce}\">", html);
        Assert.DoesNotContain("c&amp;state", html);
    }

    [Fact]
    public async Task Done_page_and_other_paths()
    {
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(new Uri(Listener.RedirectUri, "/done"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(new Uri(Listener.RedirectUri, "/favicon.ico"))).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed,
            (await Http.PostAsync(Listener.RedirectUri + "?code=c&state=s", new StringContent(""))).StatusCode);
    }

    [Fact]
    public async Task Page_reports_received_when_the_terminal_does_not_answer_in_time()
    {
        await using var listener = await LoopbackCallbackListener.StartAsync(
            new LoopbackListenerOptions { OutcomeWait = TimeSpan.FromMilliseconds(200) }, new PendingFlowRegistry(TimeProvider.System), default);
        using var flow = TestFlow.Start(listener.Registry, "slow");

        var response = await Http.GetAsync(listener.RedirectUri + "?code=c&state=slow");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Authorization received", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_configured_port_held_by_another_process_is_a_clear_error_naming_it()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;

        var error = await Assert.ThrowsAsync<CliException>(() => LoopbackCallbackListener.StartAsync(
            new LoopbackListenerOptions { Port = port }, new PendingFlowRegistry(TimeProvider.System), default));

        Assert.Contains($"Callback port {port}", error.Message);
        Assert.Contains("already in use", error.Message);
        Assert.Contains($"process {Environment.ProcessId}", error.Message);
    }

    [Fact]
    public async Task A_taken_previous_port_falls_back_to_a_free_one()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;

        await using var listener = await LoopbackCallbackListener.StartAsync(
            new LoopbackListenerOptions { PreviousPort = port }, new PendingFlowRegistry(TimeProvider.System), default);

        Assert.True(listener.PortChanged);
        Assert.NotEqual(port, listener.Port);
    }

    [Fact]
    public async Task The_previous_port_is_reused_when_free()
    {
        var port = Listener.Port;
        await Listener.DisposeAsync();

        Listener = await LoopbackCallbackListener.StartAsync(
            new LoopbackListenerOptions { PreviousPort = port }, new PendingFlowRegistry(TimeProvider.System), default);

        Assert.Equal(port, Listener.Port);
        Assert.False(Listener.PortChanged);
    }

    [Fact]
    public async Task Disposing_releases_the_port_even_with_a_request_waiting()
    {
        await using var listener = await LoopbackCallbackListener.StartAsync(
            new LoopbackListenerOptions(), new PendingFlowRegistry(TimeProvider.System), default);
        var port = listener.Port;
        using var flow = TestFlow.Start(listener.Registry, "pending");
        var waiting = Http.GetAsync(listener.RedirectUri + "?code=c&state=pending");
        await flow.Received.WaitAsync(TimeSpan.FromSeconds(10));

        await listener.DisposeAsync();

        using var rebind = new TcpListener(IPAddress.Loopback, port);
        rebind.Start();
        Assert.Equal(port, ((IPEndPoint)rebind.LocalEndpoint).Port);
        await Assert.ThrowsAnyAsync<Exception>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_cancelled_start_leaves_the_port_free()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        blocker.Stop();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LoopbackCallbackListener.StartAsync(
            new LoopbackListenerOptions { Port = port }, new PendingFlowRegistry(TimeProvider.System), cancelled.Token));

        using var rebind = new TcpListener(IPAddress.Loopback, port);
        rebind.Start();
    }

    [Theory]
    [InlineData("example.com", null, "/callback")]
    [InlineData("127.0.0.1", 70000, "/callback")]
    [InlineData("127.0.0.1", null, "callback")]
    [InlineData("127.0.0.1", null, "/done")]
    [InlineData("127.0.0.1", null, "/cb?x=1")]
    public async Task Invalid_options_are_refused_before_binding(string host, int? port, string path)
    {
        await Assert.ThrowsAsync<CliException>(() => LoopbackCallbackListener.StartAsync(
            new LoopbackListenerOptions { Host = host, Port = port, Path = path }, new PendingFlowRegistry(TimeProvider.System), default));
    }

    private Task<HttpResponseMessage> SendAsync(string query) => Http.GetAsync(Listener.RedirectUri + query);
}
