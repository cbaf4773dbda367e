using System.CommandLine;
using McpAuth.Cli.Output;

namespace McpAuth.Cli.Commands;

/// <summary>
/// One secret a verb takes (a token, a client secret), never as a plain argument, which every user of the machine can
/// read in the process list: <c>--NAME -</c> reads it from stdin (one secret per command), <c>--NAME-env VAR</c> from an
/// environment variable, and <c>--ask-NAME</c> prompts without echo where a person is at the terminal. A plain value
/// given to <c>--NAME</c> is refused with the forms that work.
/// </summary>
public sealed class SecretInput
{
    private readonly string _name;
    private readonly Option<string?> _value;
    private readonly Option<string?> _env;
    private readonly Option<bool> _ask;
    private readonly string _label;

    /// <param name="name">The option name without dashes, e.g. <c>client-secret</c>.</param>
    /// <param name="what">What the secret is, for help and messages, e.g. "the client secret".</param>
    /// <param name="label">The prompt's label, e.g. "Client secret".</param>
    public SecretInput(string name, string what, string label)
    {
        _name = name;
        What = what;
        _label = label;
        _value = new Option<string?>("--" + name) { Description = $"'-' reads {what} from stdin (never pass a secret as an argument)", HelpName = "-" };
        _env = new Option<string?>($"--{name}-env") { Description = $"Read {what} from this environment variable", HelpName = "VAR" };
        _ask = new Option<bool>($"--ask-{name}") { Description = $"Prompt for {what} without echoing it" };
    }

    /// <summary>What the secret is, e.g. "the client secret".</summary>
    public string What { get; }

    /// <summary>The options to add to the verb.</summary>
    public IEnumerable<Option> Options => [_value, _env, _ask];

    /// <summary>Whether any form of this secret was given.</summary>
    public bool IsGiven(ParseResult result) =>
        result.GetValue(_value) is not null || result.GetValue(_env) is not null || result.GetValue(_ask);

    /// <summary>Whether this secret is to be read from stdin.</summary>
    public bool ReadsStdin(ParseResult result) => result.GetValue(_value) == "-";

    /// <summary>The secret, or null when none of its forms was given.</summary>
    /// <exception cref="CliException">A plain value, more than one form, an unset variable, a prompt without a terminal, an empty secret.</exception>
    public string? Read(ParseResult result, CliContext cli, Func<string?>? prompt = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(cli);
        Check(result);
        var (value, variable, ask) = (result.GetValue(_value), result.GetValue(_env), result.GetValue(_ask));
        var secret = value is not null ? cli.In.ReadLine()?.Trim()
            : variable is not null ? FromEnvironment(variable, cli)
            : ask ? Prompt(cli, prompt)
            : null;
        return secret is not null && secret.Length == 0 ? throw new CliException($"{_label} is empty.") : secret;
    }

    /// <summary>Refuses a plain value and more than one form, before any secret is read.</summary>
    /// <exception cref="CliException">With the forms that work.</exception>
    public void Check(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (value, variable, ask) = (result.GetValue(_value), result.GetValue(_env), result.GetValue(_ask));
        if ((value is null ? 0 : 1) + (variable is null ? 0 : 1) + (ask ? 1 : 0) > 1)
        {
            throw new CliException($"Give {What} one way: --{_name} -, --{_name}-env VAR or --ask-{_name}.");
        }
        if (value is not null && value != "-")
        {
            throw new CliException(
                $"--{_name} takes only '-' (read from stdin): a secret given as an argument shows in the process list. " +
                $"Use --{_name} - or --{_name}-env VAR.");
        }
    }

    private string FromEnvironment(string variable, CliContext cli) =>
        cli.Environment(variable) is { Length: > 0 } secret
            ? secret
            : throw new CliException($"--{_name}-env: the environment variable {variable} is not set or empty.");

    private string? Prompt(CliContext cli, Func<string?>? prompt)
    {
        if (prompt is null && !cli.IsInteractive)
        {
            throw new CliException($"--ask-{_name} needs a terminal; use --{_name}-env VAR or --{_name} - in scripts.");
        }
        cli.Err.Write(_label + ": ");
        var secret = (prompt ?? HiddenPrompt.ReadLine)();
        cli.Err.WriteLine();
        return secret;
    }

    /// <summary>Checks every secret of a verb before any is read, and refuses two that would both read stdin (it holds one).</summary>
    /// <exception cref="CliException">A plain value, several forms, or more than one secret from stdin.</exception>
    public static void CheckAll(ParseResult result, params SecretInput[] secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        foreach (var secret in secrets)
        {
            secret.Check(result);
        }
        if (secrets.Count(s => s.ReadsStdin(result)) > 1)
        {
            throw new CliException("Only one secret can be read from stdin; give the others with --NAME-env VAR.");
        }
    }
}
