using System.CommandLine;

namespace Perplex.Cli.Commands;

/// <summary><c>perplex vocab build|show</c>.</summary>
internal static class VocabCommands
{
    public static Command Create()
    {
        var vocab = new Command("vocab", "Build and inspect vocabularies.");
        return vocab;
    }
}
