namespace Perplex;

/// <summary>
/// A problem caused by the user's input (a file, a flag value, a model), not by a bug in Perplex.
/// The command line prints <see cref="Exception.Message"/> as one line and exits non-zero, never a stack trace.
/// </summary>
public class PerplexException : Exception
{
    /// <summary>The file the problem was found in, if any.</summary>
    public string? FilePath { get; }

    /// <summary>The 1-based line number of the problem, if known.</summary>
    public long? LineNumber { get; }

    /// <summary>The problem itself, without the location prefix.</summary>
    public string Problem { get; }

    /// <summary>Creates an error about <paramref name="filePath"/> at <paramref name="lineNumber"/>.</summary>
    public PerplexException(string problem, string? filePath = null, long? lineNumber = null, Exception? inner = null)
        : base(Format(problem, filePath, lineNumber), inner)
    {
        Problem = problem;
        FilePath = filePath;
        LineNumber = lineNumber;
    }

    /// <summary>Formats a location-prefixed message as compilers do: <c>file:line: problem</c>.</summary>
    public static string Format(string problem, string? filePath, long? lineNumber)
    {
        if (filePath is null) return problem;
        return lineNumber is null ? $"{filePath}: {problem}" : $"{filePath}:{lineNumber}: {problem}";
    }
}
