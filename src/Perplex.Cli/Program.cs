using System.CommandLine;
using Perplex.Cli;
using Perplex.Cli.Commands;

var root = new RootCommand("Perplex: build, train, evaluate and use language models (n-gram and neural).");
root.Options.Add(CommonOptions.Quiet);
root.Subcommands.Add(VocabCommands.Create());
root.Subcommands.Add(BenchCommands.Create());
return CliRunner.Invoke(root, args);
