using System.CommandLine;
using Perplex.Inference;
using Perplex.Serialization;
using Perplex.Tensors;
using Perplex.Text;

namespace Perplex.Cli.Commands.Neural;

/// <summary>Options shared by the neural-model commands.</summary>
internal static class NeuralOptions
{
    public static Option<int?> Threads() => new Option<int?>("--threads")
    {
        Description = "Threads for the tensor engine (default: all cores).",
    }.AtLeast(1);

    public static void ApplyThreads(ParseResult result, Option<int?> threads)
    {
        if (result.GetValue(threads) is { } n) Parallelism.MaxThreads = n;
    }

    public static Argument<string> ModelArgument() => new("model") { Description = "A model saved by perplex train (safetensors)." };

    /// <summary>
    /// Loads the model named by <paramref name="model"/> and encodes <paramref name="text"/> with its vocabulary,
    /// warning on standard error about tokens it does not know (or failing, per --unk).
    /// </summary>
    public static (NeuralGenerator Generator, EncodedPrompt Prompt) LoadAndEncode(ParseResult result, Argument<string> model,
        string text, Option<string> unk, string what)
    {
        var (lm, vocabulary) = NeuralModelFile.Load(result.GetValue(model)!);
        var generator = new NeuralGenerator(lm, vocabulary);
        var policy = UnknownWordPolicies.Parse(result.GetValue(unk)!);
        var encoded = generator.Encode(text, policy);
        if (encoded.Unknown.Count > 0)
            result.InvocationConfiguration.Error.WriteLine($"warning: {what}: {DescribeUnknown(encoded.Unknown, policy)}");
        return (generator, encoded);
    }

    public static Option<string> UnknownPolicy() => new Option<string>("--unk")
    {
        Description = "Tokens missing from the model's vocabulary: unk (map to <unk>, with a warning), skip (drop them, with a warning) or fail.",
        DefaultValueFactory = _ => "unk",
    }.AcceptingOnly("unk", "skip", "fail");

    private static Option<string> AcceptingOnly(this Option<string> option, params string[] values)
    {
        option.AcceptOnlyFromAmong(values);
        return option;
    }

    /// <summary>Reads a text file the way the model's vocabulary says (tokenizer and normalization), keeping blank lines.</summary>
    public static Corpus OpenCorpus(string path, Vocabulary vocabulary) => new(path)
    {
        Format = Corpus.GuessFormat(path, null),
        Tokenizer = Tokenizers.Create(vocabulary.Tokenizer),
        Normalization = vocabulary.Normalization,
        KeepEmpty = true,
    };

    /// <summary>"3 tokens not in the vocabulary (mapped to &lt;unk&gt;): 'a', 'b', 'c'".</summary>
    public static string DescribeUnknown(IReadOnlyCollection<string> unknown, UnknownWordPolicy policy) =>
        $"{unknown.Count} token{(unknown.Count == 1 ? "" : "s")} not in the model's vocabulary " +
        $"({(policy == UnknownWordPolicy.Skip ? "skipped" : "mapped to <unk>")}): " +
        string.Join(", ", unknown.Distinct().Take(10).Select(t => $"'{t}'"));
}
