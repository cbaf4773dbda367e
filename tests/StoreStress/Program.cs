using StoreStress;

// Usage:
//   StoreStress refresh <home> <token-endpoint> <callers> [start-at-unix-ms]
//       Opens the file store in <home>, then <callers> concurrent callers ask for the credential of StressBinding.Value;
//       a needed refresh goes to <token-endpoint> (refresh_token grant). Prints one access token per caller.
//   StoreStress write <home> <seed> <entries>
//       Rewrites <entries> self-checking entries in a loop until killed (crash test).
//   StoreStress refresh-loop <home> <token-endpoint>
//       Expires and refreshes the credential in a loop until killed (crash test).
// Exit codes: 0 ok, 1 failure (the McpAuth error code on stderr), 2 usage.
try
{
    return args switch
    {
        ["refresh", var home, var endpoint, var callers, ..] =>
            await RefreshCommand.RunAsync(home, new Uri(endpoint), int.Parse(callers, System.Globalization.CultureInfo.InvariantCulture),
                args.Length > 4 ? long.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 0),
        ["write", var home, var seed, var entries] =>
            await WriteCommand.RunAsync(home, int.Parse(seed, System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(entries, System.Globalization.CultureInfo.InvariantCulture)),
        ["refresh-loop", var home, var endpoint] => await RefreshCommand.LoopAsync(home, new Uri(endpoint)),
        _ => Usage(),
    };
}
catch (McpAuth.McpAuthException e)
{
    await Console.Error.WriteLineAsync($"error {e.Code}: {e.Message}");
    return 1;
}

static int Usage()
{
    Console.Error.WriteLine("usage: StoreStress refresh <home> <token-endpoint> <callers> [start-at-unix-ms] | write <home> <seed> <entries> | refresh-loop <home> <token-endpoint>");
    return 2;
}
