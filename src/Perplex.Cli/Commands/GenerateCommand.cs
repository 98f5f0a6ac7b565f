using System.CommandLine;
using Perplex.Cli.Commands.Neural;
using Perplex.Inference;
using Perplex.Training;

namespace Perplex.Cli.Commands;

/// <summary><c>perplex generate MODEL --prompt … --words 50</c>: sampling from a neural model.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = NeuralOptions.ModelArgument();
        var prompt = new Option<string>("--prompt") { Description = "Text to continue (empty: start a new line).", DefaultValueFactory = _ => "" };
        var words = new Option<int>("--words") { Description = "How many tokens to generate (words, or characters for a char model).", DefaultValueFactory = _ => 50 }.AtLeast(0);
        var temperature = new Option<double>("--temperature") { Description = "Below 1 is more conservative, above 1 more diverse; 0 is greedy.", DefaultValueFactory = _ => 1.0 }.AtLeast(0);
        var topK = new Option<int>("--top-k") { Description = "Sample only from the k most probable tokens (0 = all).", DefaultValueFactory = _ => 0 }.AtLeast(0);
        var topP = new Option<double>("--top-p") { Description = "Sample from the smallest set of tokens whose probability reaches p (1 = all).", DefaultValueFactory = _ => 1.0 };
        var greedy = new Option<bool>("--greedy") { Description = "Always take the most probable token." };
        var seed = new Option<ulong>("--seed") { Description = "Random seed: the same seed gives the same text.", DefaultValueFactory = _ => 1 };
        var unk = NeuralOptions.UnknownPolicy();
        var threads = NeuralOptions.Threads();
        var command = new Command("generate", "Generate text from a neural model, continuing a prompt (temperature, top-k, top-p, greedy, seed).")
        {
            model, prompt, words, temperature, topK, topP, greedy, seed, unk, threads,
        };
        command.SetAction(result =>
        {
            NeuralOptions.ApplyThreads(result, threads);
            var options = new SamplingOptions(result.GetValue(temperature), result.GetValue(topK), result.GetValue(topP), result.GetValue(greedy));
            options.Validate();
            var (generator, encoded) = NeuralOptions.LoadAndEncode(result, model, result.GetValue(prompt)!, unk, "prompt");
            var ids = generator.Generate(encoded.Ids, result.GetValue(words), options, new TrainingRandom(result.GetValue(seed))).ToList();
            var text = generator.Detokenize(encoded.Ids.Concat(ids));
            result.InvocationConfiguration.Output.WriteLine(text);
            return 0;
        });
        return command;
    }
}
