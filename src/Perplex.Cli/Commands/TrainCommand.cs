using System.CommandLine;
using System.Globalization;
using Perplex.Cli.Commands.Neural;
using Perplex.Diagnostics;
using Perplex.Models;
using Perplex.Serialization;
using Perplex.Text;
using Perplex.Training;

namespace Perplex.Cli.Commands;

/// <summary><c>perplex train</c>: word_language_model's recipe and flag names.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var o = new TrainFlags();
        var command = new Command("train",
            "Train a neural language model (RNN/LSTM/GRU or fixed-window) with word_language_model's recipe: truncated BPTT, " +
            "gradient clipping, SGD annealed ÷4 on a validation plateau (or Adam/AdamW); the best model is saved as safetensors.");
        o.AddTo(command);
        // the asynchronous form receives Ctrl+C as a cancellation: the trainer checkpoints and stops between two steps
        command.SetAction((result, cancellation) => Task.FromResult(Run(result, o, cancellation)));
        return command;
    }

    private static int Run(ParseResult result, TrainFlags o, CancellationToken cancellation)
    {
        NeuralOptions.ApplyThreads(result, o.Threads);
        var output = result.InvocationConfiguration.Output;
        var quiet = result.GetValue(CommonOptions.Quiet);
        var save = result.GetValue(o.Save)!;
        var resume = result.GetValue(o.Resume);
        var checkpoint = result.GetValue(o.Checkpoint) ?? DefaultCheckpointPath(save);
        var level = result.GetValue(o.Level)!;
        var trainPath = result.GetValue(o.Train)!;
        var validPath = result.GetValue(o.Valid)!;
        var testPath = result.GetValue(o.Test);

        CheckpointSummary? saved = resume is null ? null : Trainer.Peek(resume);
        var options = o.Recipe(result, saved?.Options);
        var config = o.Architecture(result, saved?.Config, resume);

        return ConsoleProgress.Run(quiet, progress =>
        {
            var corpora = new[] { trainPath, validPath, testPath }.Where(p => p is not null)
                .Select(p => new Corpus(p!) { Format = Corpus.GuessFormat(p!, null), Tokenizer = Tokenizers.Create(level) }).ToList();
            var vocabFrom = result.GetValue(o.VocabFrom)!;
            var vocabulary = CorpusTokens.BuildVocabulary(vocabFrom == "all" ? corpora : corpora.Take(1),
                result.GetValue(o.MinCount), result.GetValue(o.MaxVocab), progress);
            if (saved is not null)
            {
                CheckSameVocabulary(saved.Vocabulary, vocabulary, resume!);
                vocabulary = saved.Vocabulary;
            }
            var policy = UnknownWordPolicies.Parse(result.GetValue(o.Unknown)!);
            int[] Encode(Corpus corpus)
            {
                var ids = CorpusTokens.Encode(corpus, vocabulary, policy, out long unknown, progress);
                if (unknown > 0 && corpus != corpora[0])
                    progress.Warn($"{corpus.Path}: {unknown:N0} tokens are not in the vocabulary (built from --vocab-from {vocabFrom}); they are {(policy == UnknownWordPolicy.Skip ? "skipped" : "scored as <unk>")}");
                return ids;
            }
            var train = Encode(corpora[0]);
            var valid = Encode(corpora[1]);
            var test = testPath is null ? null : Encode(corpora[2]);

            Trainer trainer;
            if (resume is not null)
            {
                trainer = Trainer.Resume(resume, train, valid, test, options);
            }
            else
            {
                var model = LanguageModels.Create<float>(config! with { VocabSize = vocabulary.Count }, options.Seed);
                trainer = new Trainer(model, vocabulary, train, valid, test, options);
            }
            trainer.SavePath = save;
            trainer.CheckpointPath = checkpoint;
            trainer.LogPath = result.GetValue(o.Log);
            var plot = result.GetValue(o.Plot);
            trainer.EpochCompleted = history =>
            {
                // one line per epoch as it ends, as word_language_model prints them
                output.WriteLine(EpochLine(history.Epochs.Last()));
                if (plot is not null) TrainingPlot.Write(history, plot);
            };

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"model: {NeuralModelFile.Describe(trainer.Model.Config)}, {trainer.Model.Parameters.Sum(p => (long)p.Value.Length):N0} parameters"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"data: train {train.Length:N0} tokens ({trainer.ChunksPerEpoch:N0} steps per epoch), valid {valid.Length:N0}{(test is null ? "" : $", test {test.Length:N0}")}; vocabulary {vocabulary.Count:N0} ({level})"));
            if (resume is not null)
                output.WriteLine($"resuming {resume} at epoch {trainer.State.Epoch}, step {trainer.State.Step}");

            var outcome = trainer.Run(progress, cancellation);
            if (outcome == TrainingOutcome.StoppedAtMaxSteps)
            {
                output.WriteLine($"stopped after {trainer.State.Step} steps; resume with --resume {checkpoint}");
                return 0;
            }
            var best = trainer.State;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"best model saved to {save}: valid ppl {Math.Exp(best.BestValidLoss!.Value):F2}{(best.BestTestLoss is { } bt ? $", test ppl {Math.Exp(bt):F2}" : "")}"));
            return 0;
        });
    }

    private static string EpochLine(TrainingRecord r) => string.Create(CultureInfo.InvariantCulture,
        $"| end of epoch {r.Epoch,3} | lr {r.LearningRate:G4} | train ppl {Math.Exp(r.TrainLoss),8:F2} | valid ppl {Math.Exp(r.ValidLoss!.Value),8:F2}{(r.TestLoss is { } t ? $" | test ppl {Math.Exp(t),8:F2}" : "")} | {r.Seconds:F0} s, {r.TokensPerSecond:N0} tokens/s |");

    /// <summary><c>model.safetensors</c> → <c>model.checkpoint.safetensors</c>.</summary>
    internal static string DefaultCheckpointPath(string save)
    {
        var extension = Path.GetExtension(save);
        return extension.Length == 0 ? save + ".checkpoint" : Path.ChangeExtension(save, ".checkpoint" + extension);
    }

    private static void CheckSameVocabulary(Vocabulary saved, Vocabulary rebuilt, string path)
    {
        if (saved.Tokenizer != rebuilt.Tokenizer)
            throw new PerplexException($"vocabulary mismatch: the checkpoint is {saved.Tokenizer}-level but --level is {rebuilt.Tokenizer}", path);
        int common = Math.Min(saved.Count, rebuilt.Count);
        for (int i = 0; i < common; i++)
        {
            if (saved[i] != rebuilt[i])
                throw new PerplexException($"vocabulary mismatch: entry {i} is '{saved[i]}' in the checkpoint but '{rebuilt[i]}' in the given data; resume needs the same --train/--valid/--test and --vocab-from", path);
        }
        if (saved.Count != rebuilt.Count)
            throw new PerplexException($"vocabulary mismatch: the checkpoint has {saved.Count:N0} entries, the given data gives {rebuilt.Count:N0}; resume needs the same data and --vocab-from", path);
    }
}
