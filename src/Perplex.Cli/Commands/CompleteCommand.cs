using System.CommandLine;
using System.Globalization;
using Perplex.Cli.Commands.Neural;
using Perplex.Text;

namespace Perplex.Cli.Commands;

/// <summary><c>perplex complete MODEL "the students opened their" -k 5</c>: the most probable next tokens.</summary>
internal static class CompleteCommand
{
    public static Command Create()
    {
        var model = NeuralOptions.ModelArgument();
        var prefix = new Argument<string>("prefix") { Description = "The text so far." };
        var k = new Option<int>("-k", "--top") { Description = "How many candidates to list.", DefaultValueFactory = _ => 5 }.AtLeast(1);
        var unk = NeuralOptions.UnknownPolicy();
        var threads = NeuralOptions.Threads();
        var command = new Command("complete", "List the most probable next tokens after a prefix, with their probabilities.")
        {
            model, prefix, k, unk, threads,
        };
        command.SetAction(result =>
        {
            NeuralOptions.ApplyThreads(result, threads);
            var (generator, encoded) = NeuralOptions.LoadAndEncode(result, model, result.GetValue(prefix)!, unk, "prefix");
            foreach (var (token, probability) in generator.Complete(encoded.Ids, result.GetValue(k)))
                result.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{probability:F4}\t{(token == Vocabulary.EosToken ? "</s> (end of sentence)" : token)}"));
            return 0;
        });
        return command;
    }
}
