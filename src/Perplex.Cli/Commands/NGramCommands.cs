using System.CommandLine;
using Perplex.Cli.Commands.NGram;

namespace Perplex.Cli.Commands;

/// <summary><c>perplex ngram build|query|convert|complete|generate|bench</c>: n-gram models that agree with KenLM.</summary>
internal static class NGramCommands
{
    public static Command Create()
    {
        var ngram = new Command("ngram", "Build, query, convert and use n-gram language models (Kneser-Ney identical to KenLM's lmplz; ARPA and binary).");
        ngram.Subcommands.Add(NGramBuildCommand.Create());
        ngram.Subcommands.Add(NGramQueryCommand.Create());
        ngram.Subcommands.Add(NGramConvertCommand.Create());
        ngram.Subcommands.Add(NGramCompleteCommand.Create());
        ngram.Subcommands.Add(NGramGenerateCommand.Create());
        ngram.Subcommands.Add(NGramBenchCommand.Create());
        return ngram;
    }
}
