using System.CommandLine;
using System.Text;

namespace Perplex.Cli;

/// <summary>
/// Runs the command tree and turns user mistakes into one clear line on standard error and a non-zero exit code.
/// Only a genuine bug (an exception we did not anticipate) prints a stack trace.
/// </summary>
internal static class CliRunner
{
    /// <summary>Exit code for a user mistake (bad input, missing file, bad flag value).</summary>
    public const int UserErrorExitCode = 1;

    /// <summary>Exit code for a bug inside Perplex.</summary>
    public const int InternalErrorExitCode = 70;

    public static int Invoke(RootCommand root, string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        Console.OutputEncoding = new UTF8Encoding(false);
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        if (stdout is not null) config.Output = stdout;
        if (stderr is not null) config.Error = stderr;
        var err = stderr ?? Console.Error;
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                // One line per problem and a pointer to the help, rather than the whole help text.
                foreach (var error in parsed.Errors) err.WriteLine($"perplex: error: {error.Message}");
                var name = string.Join(' ', parsed.CommandResult.Command.Name == root.Name
                    ? ["perplex"] : CommandPath(parsed.CommandResult));
                err.WriteLine($"See '{name} --help'.");
                return UserErrorExitCode;
            }
            return parsed.Invoke(config);
        }
        catch (Exception ex) when (Describe(ex) is { } message)
        {
            err.WriteLine($"perplex: error: {message}");
            return UserErrorExitCode;
        }
        catch (Exception ex)
        {
            err.WriteLine($"perplex: internal error (please report it): {ex}");
            return InternalErrorExitCode;
        }
    }

    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new Stack<string>();
        for (var r = result; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Push(r.Parent is null ? "perplex" : r.Command.Name);
        return names;
    }

    /// <summary>The one-line message for an exception caused by the user, or null for a bug.</summary>
    internal static string? Describe(Exception ex) => ex switch
    {
        PerplexException p => p.Message,
        FileNotFoundException f => $"{f.FileName ?? "file"}: file not found",
        DirectoryNotFoundException d => d.Message,
        UnauthorizedAccessException u => u.Message,
        PathTooLongException p => p.Message,
        IOException io when io.GetType() == typeof(IOException) => io.Message,
        OperationCanceledException => "cancelled",
        AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerException!),
        _ => null,
    };
}
