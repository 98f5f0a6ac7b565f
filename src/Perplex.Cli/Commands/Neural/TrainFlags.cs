using System.CommandLine;
using Perplex.Models;
using Perplex.Training;

namespace Perplex.Cli.Commands.Neural;

/// <summary>The flags of <c>perplex train</c>, named as in PyTorch's word_language_model where it has them.</summary>
internal sealed class TrainFlags
{
    public readonly Option<string> Model = new("--model") { Description = "Architecture: RNN_TANH, RNN_RELU, RNN_SIGMOID, LSTM, GRU or WINDOW.", DefaultValueFactory = _ => "LSTM" };
    public readonly Option<int> EmSize = new Option<int>("--emsize") { Description = "Size of the word embeddings.", DefaultValueFactory = _ => 200 }.AtLeast(1);
    public readonly Option<int> NHid = new Option<int>("--nhid") { Description = "Hidden units per layer.", DefaultValueFactory = _ => 200 }.AtLeast(1);
    public readonly Option<int> NLayers = new Option<int>("--nlayers") { Description = "Number of recurrent layers.", DefaultValueFactory = _ => 2 }.AtLeast(1);
    public readonly Option<double> Dropout = new Option<double>("--dropout") { Description = "Dropout on embeddings, between layers and before the decoder (0 = none).", DefaultValueFactory = _ => 0.2 }.AtLeast(0).AtMost(0.99);
    public readonly Option<bool> Tied = new("--tied") { Description = "Tie the decoder weight to the embedding matrix (needs --nhid = --emsize)." };
    public readonly Option<int> Window = new Option<int>("--window") { Description = "WINDOW model: how many previous tokens it sees.", DefaultValueFactory = _ => 5 }.AtLeast(1);

    public readonly Option<double> Lr = new Option<double>("--lr") { Description = "Initial learning rate.", DefaultValueFactory = _ => 20 }.AtLeast(0);
    public readonly Option<double> Clip = new Option<double>("--clip") { Description = "Clip gradients to this global L2 norm (0 = no clipping).", DefaultValueFactory = _ => 0.25 }.AtLeast(0);
    public readonly Option<int> Epochs = new Option<int>("--epochs") { Description = "Number of passes over the training text.", DefaultValueFactory = _ => 6 }.AtLeast(1);
    public readonly Option<int> BatchSize = new Option<int>("--batch-size") { Description = "Number of parallel streams.", DefaultValueFactory = _ => 20 }.AtLeast(1);
    public readonly Option<int> Bptt = new Option<int>("--bptt") { Description = "Truncated back-propagation length in tokens.", DefaultValueFactory = _ => 35 }.AtLeast(1);
    public readonly Option<string> Optimizer = new("--optimizer") { Description = "sgd (lr ÷4 when validation stops improving), adam or adamw.", DefaultValueFactory = _ => "sgd" };
    public readonly Option<double> WeightDecay = new Option<double>("--weight-decay") { Description = "Weight decay for adam/adamw (adamw uses 0.01 when 0).", DefaultValueFactory = _ => 0 }.AtLeast(0);
    public readonly Option<ulong> Seed = new("--seed") { Description = "Random seed (initialisation and dropout).", DefaultValueFactory = _ => 1111 };

    public readonly Option<string> Level = new("--level") { Description = "Tokens: word (white space), char (Unicode graphemes) or jamo (Hangul jamo).", DefaultValueFactory = _ => "word" };
    public readonly Option<string> Train = new("--train") { Description = "Training text, one sentence per line (each line ends with </s>).", Required = true };
    public readonly Option<string> Valid = new("--valid") { Description = "Validation text: the lr is annealed and the best model chosen on it.", Required = true };
    public readonly Option<string?> Test = new("--test") { Description = "Test text, evaluated after every epoch." };
    public readonly Option<string> VocabFrom = new("--vocab-from") { Description = "Build the vocabulary from the training text only, or from all given texts as word_language_model does.", DefaultValueFactory = _ => "all" };
    public readonly Option<int> MinCount = new Option<int>("--min-count") { Description = "Leave out tokens seen fewer times (they become <unk>).", DefaultValueFactory = _ => 1 }.AtLeast(1);
    public readonly Option<int?> MaxVocab = new Option<int?>("--max-vocab") { Description = "Keep at most this many vocabulary entries (most frequent first)." }.AtLeast(4);
    public readonly Option<string> Unknown = NeuralOptions.UnknownPolicy();

    public readonly Option<string> Save = new("--save") { Description = "Where to save the best model (safetensors).", Required = true };
    public readonly Option<string?> Resume = new("--resume") { Description = "Continue from this checkpoint (bit-identical to an uninterrupted run)." };
    public readonly Option<string?> Checkpoint = new("--checkpoint") { Description = "Where to write the training checkpoint (default: next to --save, *.checkpoint.safetensors)." };
    public readonly Option<int> CheckpointEvery = new Option<int>("--checkpoint-every") { Description = "Also checkpoint every this many steps (0 = after each epoch only).", DefaultValueFactory = _ => 0 }.AtLeast(0);
    public readonly Option<long?> MaxSteps = new Option<long?>("--max-steps") { Description = "Stop after this many optimizer steps in total (resume later with --resume)." }.AtLeast(0);
    public readonly Option<int> LogInterval = new Option<int>("--log-interval") { Description = "Record the training loss every this many steps.", DefaultValueFactory = _ => 200 }.AtLeast(1);
    public readonly Option<string?> Log = new("--log") { Description = "Write the training log as CSV here." };
    public readonly Option<string?> Plot = new("--plot") { Description = "Draw the training curves (perplexity per epoch) as a PNG here." };
    public readonly Option<int?> Threads = NeuralOptions.Threads();

    public TrainFlags()
    {
        Model.AcceptOnlyFromAmong("RNN_TANH", "RNN_RELU", "RNN_SIGMOID", "LSTM", "GRU", "WINDOW");
        Optimizer.AcceptOnlyFromAmong("sgd", "adam", "adamw");
        Level.AcceptOnlyFromAmong("word", "char", "jamo");
        VocabFrom.AcceptOnlyFromAmong("train", "all");
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[]
                 {
                     Model, EmSize, NHid, NLayers, Dropout, Tied, Window, Lr, Clip, Epochs, BatchSize, Bptt, Optimizer, WeightDecay,
                     Seed, Level, Train, Valid, Test, VocabFrom, MinCount, MaxVocab, Unknown, Save, Resume, Checkpoint,
                     CheckpointEvery, MaxSteps, LogInterval, Log, Plot, Threads,
                 })
            command.Options.Add(option);
    }

    private static bool Given(ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };

    /// <summary>The flag's value, or on resume the checkpoint's value unless the flag was given explicitly.</summary>
    private static T Pick<T>(ParseResult result, Option<T> option, T? saved, bool resuming) =>
        resuming && !Given(result, option) ? saved! : result.GetValue(option)!;

    /// <summary>The recipe from the flags; on resume the checkpoint's recipe with explicitly given flags on top.</summary>
    public TrainingOptions Recipe(ParseResult result, TrainingOptions? saved)
    {
        bool r = saved is not null;
        return new TrainingOptions
        {
            Epochs = Pick(result, Epochs, saved?.Epochs ?? 0, r),
            BatchSize = Pick(result, BatchSize, saved?.BatchSize ?? 0, r),
            Bptt = Pick(result, Bptt, saved?.Bptt ?? 0, r),
            LearningRate = Pick(result, Lr, saved?.LearningRate ?? 0, r),
            Clip = Pick(result, Clip, saved?.Clip ?? 0, r),
            Optimizer = Pick(result, Optimizer, saved?.Optimizer, r),
            WeightDecay = Pick(result, WeightDecay, saved?.WeightDecay ?? 0, r),
            Seed = Pick(result, Seed, saved?.Seed ?? 0, r),
            LogInterval = Pick(result, LogInterval, saved?.LogInterval ?? 0, r),
            CheckpointEvery = Pick(result, CheckpointEvery, saved?.CheckpointEvery ?? 0, r),
            MaxSteps = result.GetValue(MaxSteps),
            EvalBatchSize = saved?.EvalBatchSize ?? new TrainingOptions().EvalBatchSize,
        };
    }

    /// <summary>
    /// The architecture from the flags (vocabulary size filled in later). On resume the checkpoint's architecture is
    /// used, and an explicitly given flag that contradicts it is an error naming both values.
    /// </summary>
    public LanguageModelConfig? Architecture(ParseResult result, LanguageModelConfig? saved, string? checkpoint)
    {
        var kind = LanguageModelConfig.ParseKind(result.GetValue(Model)!);
        var config = new LanguageModelConfig(kind, 1, result.GetValue(EmSize), result.GetValue(NHid), result.GetValue(NLayers),
            result.GetValue(Dropout), result.GetValue(Tied), kind == ModelKind.Window ? result.GetValue(Window) : 0);
        if (saved is null)
        {
            config.Validate();
            return config;
        }
        void Same<T>(Option option, T given, T stored)
        {
            if (Given(result, option) && !EqualityComparer<T>.Default.Equals(given, stored))
                throw new PerplexException($"model mismatch: {option.Name} {given} differs from the checkpoint's {stored}", checkpoint);
        }
        Same(Model, LanguageModelConfig.KindName(config.Kind), LanguageModelConfig.KindName(saved.Kind));
        Same(EmSize, config.EmbeddingSize, saved.EmbeddingSize);
        Same(NHid, config.HiddenSize, saved.HiddenSize);
        Same(NLayers, config.Layers, saved.Layers);
        Same(Dropout, config.Dropout, saved.Dropout);
        Same(Tied, config.Tied, saved.Tied);
        Same(Window, config.Window, saved.Window);
        return saved;
    }
}
