using System.CommandLine;
using System.Globalization;
using Perplex.Cli.Commands.Neural;
using Perplex.Inference;
using Perplex.Serialization;
using Perplex.Text;
using Perplex.Training;

namespace Perplex.Cli.Commands;

/// <summary><c>perplex eval MODEL TEXT</c>: perplexity of a text under a neural model, per corpus or per sentence.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = NeuralOptions.ModelArgument();
        var text = new Argument<string>("text") { Description = "The text to score, one sentence per line." };
        var perSentence = new Option<bool>("--per-sentence")
        {
            Description = "Score every line on its own from a fresh state and print its log10 probability and perplexity.",
        };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "0 scores the text as one stream, every token seeing all before it; B > 0 splits it into B streams as word_language_model's evaluate (faster, trims the end).",
            DefaultValueFactory = _ => 0,
        }.AtLeast(0);
        var bptt = new Option<int>("--bptt") { Description = "Chunk length when batching.", DefaultValueFactory = _ => 35 }.AtLeast(1);
        var unk = NeuralOptions.UnknownPolicy();
        var threads = NeuralOptions.Threads();
        var command = new Command("eval", "Perplexity of a text under a neural model: exp(mean cross-entropy) over every token and every end of line.")
        {
            model, text, perSentence, batchSize, bptt, unk, threads,
        };
        command.SetAction(result =>
        {
            NeuralOptions.ApplyThreads(result, threads);
            var output = result.InvocationConfiguration.Output;
            var (lm, vocabulary) = NeuralModelFile.Load(result.GetValue(model)!);
            var policy = UnknownWordPolicies.Parse(result.GetValue(unk)!);
            var corpus = NeuralOptions.OpenCorpus(result.GetValue(text)!, vocabulary);
            return ConsoleProgress.Run(result.GetValue(CommonOptions.Quiet), progress =>
            {
                CorpusScore score;
                long unknown = 0;
                if (result.GetValue(perSentence))
                {
                    score = default;
                    var ids = new List<int>();
                    foreach (var sentence in corpus.Sentences())
                    {
                        ids.Clear();
                        unknown += vocabulary.Encode(sentence.Tokens, policy, ids, sentence.Source, sentence.LineNumber);
                        var s = NeuralScoring.ScoreSentence(lm, ids.ToArray());
                        score += s;
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{sentence.LineNumber}\t{s.Log10Probability:F4}\t{s.Tokens}\t{s.Perplexity:F2}\t{string.Join(' ', sentence.Tokens)}"));
                    }
                }
                else
                {
                    var tokens = CorpusTokens.Encode(corpus, vocabulary, policy, out unknown, progress);
                    progress.BeginStage("scoring", tokens.Length, "tokens");
                    int b = result.GetValue(batchSize);
                    score = b == 0
                        ? NeuralScoring.ScoreStream(lm, tokens, 256, progress.Advance)
                        : NeuralScoring.Score(lm, new TokenBatches(tokens, b), result.GetValue(bptt), progress.Advance);
                }
                if (unknown > 0)
                    progress.Warn($"{unknown:N0} tokens are not in the model's vocabulary ({(policy == UnknownWordPolicy.Skip ? "skipped" : "scored as <unk>")})");
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"perplexity: {score.Perplexity:F2} over {score.Tokens:N0} tokens (cross-entropy {score.MeanLoss:F4} nats, {score.MeanLoss / Math.Log(2):F4} bits per token; log10 probability {score.Log10Probability:F2})"));
                return 0;
            });
        });
        return command;
    }
}
