using System.CommandLine;

namespace Perplex.Cli;

/// <summary>Options shared by every subcommand.</summary>
internal static class CommonOptions
{
    /// <summary>Hides progress bars; warnings and errors are still printed.</summary>
    public static readonly Option<bool> Quiet = new("--quiet", "-q")
    {
        Description = "Hide progress bars (warnings and errors are still printed).",
        Recursive = true,
    };
}
