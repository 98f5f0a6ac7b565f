using System.CommandLine;
using Perplex.Cli.Commands;

namespace Perplex.Cli;

/// <summary>Builds the <c>perplex</c> command tree (shared by Program and the in-process CLI tests).</summary>
internal static class CliApp
{
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("Perplex: build, train, evaluate and use language models (n-gram and neural).");
        root.Options.Add(CommonOptions.Quiet);
        root.Subcommands.Add(VocabCommands.Create());
        root.Subcommands.Add(NGramCommands.Create());
        root.Subcommands.Add(TagCommands.Create());
        root.Subcommands.Add(GradFlowCommand.Create());
        root.Subcommands.Add(BenchCommands.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(CompleteCommand.Create());
        root.Subcommands.Add(ClassifyCommands.Create());
        return root;
    }
}
