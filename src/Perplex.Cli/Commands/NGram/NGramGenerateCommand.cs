using System.CommandLine;
using Perplex.NGram;

namespace Perplex.Cli.Commands.NGram;

/// <summary><c>perplex ngram generate</c>: sample sentences from a model.</summary>
internal static class NGramGenerateCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "Model file (ARPA or Perplex binary)." };
        var seed = new Option<int>("--seed") { Description = "Random seed: the same seed and model give the same text.", DefaultValueFactory = _ => 1 };
        var count = new Option<int>("--count", "-n") { Description = "Number of sentences to generate.", DefaultValueFactory = _ => 1 };
        var maxWords = new Option<int>("--max-words") { Description = "Stop a sentence after this many words if </s> has not been drawn.", DefaultValueFactory = _ => 50 };
        var prefix = new Option<string>("--prefix") { Description = "Words every sentence starts with (the sampled continuation follows them).", DefaultValueFactory = _ => "" };
        var command = new Command("generate", "Sample sentences word by word from the model's next-word distribution (never <unk>).")
        {
            model, seed, count, maxWords, prefix,
        };
        command.SetAction(result =>
        {
            var o = result.InvocationConfiguration.Output;
            int n = result.GetValue(count), max = result.GetValue(maxWords);
            if (n < 1) throw new PerplexException($"--count must be at least 1, got {n}");
            if (max < 1) throw new PerplexException($"--max-words must be at least 1, got {max}");
            var lm = NGramModelFile.Load(result.GetValue(model)!);
            try
            {
                var random = new Random(result.GetValue(seed));
                string start = result.GetValue(prefix)!.Trim();
                for (int i = 0; i < n; i++)
                {
                    var words = NGramCompletion.Sample(lm, NGramCompletion.StateAfter(lm, start), random, max);
                    o.WriteLine(start.Length == 0 ? string.Join(' ', words) : $"{start} {string.Join(' ', words)}".TrimEnd());
                }
            }
            finally { (lm as IDisposable)?.Dispose(); }
            return 0;
        });
        return command;
    }
}
