using System.CommandLine;
using Perplex.Encoders;

namespace Perplex.Cli.Commands;

/// <summary>
/// The architecture and training options shared by <c>tag train</c> and <c>classify train</c>, so both spell
/// them the same way (and as <c>perplex train</c> does: --model, --emsize, --nhid, --nlayers, --lr …).
/// </summary>
internal sealed class EncoderTrainingOptions
{
    public Option<string> Model { get; } = new Option<string>("--model")
    {
        Description = "Recurrent cell: lstm, gru, rnn_tanh, rnn_relu or rnn_sigmoid.",
        DefaultValueFactory = _ => "lstm",
    }.AcceptOnlyFromAmong("lstm", "gru", "rnn_tanh", "rnn_relu", "rnn_sigmoid", "LSTM", "GRU", "RNN_TANH", "RNN_RELU", "RNN_SIGMOID");

    public Option<int> EmbeddingSize { get; } = new Option<int>("--emsize") { Description = "Word embedding width.", DefaultValueFactory = _ => 100 }.AtLeast(1);
    public Option<int> HiddenSize { get; } = new Option<int>("--nhid") { Description = "Hidden units per direction.", DefaultValueFactory = _ => 128 }.AtLeast(1);
    public Option<int> Layers { get; } = new Option<int>("--nlayers") { Description = "Stacked recurrent layers.", DefaultValueFactory = _ => 1 }.AtLeast(1);
    public Option<bool> Unidirectional { get; } = new("--unidirectional") { Description = "Read left to right only (default: bidirectional)." };
    public Option<double> Dropout { get; } = new Option<double>("--dropout") { Description = "Dropout on the encoder input, between layers and before the output layer.", DefaultValueFactory = _ => 0.3 }.AtLeast(0).AtMost(0.95);
    public Option<double> WordDropout { get; } = new Option<double>("--word-dropout") { Description = "Probability of replacing a training word by <unk>, so the model learns to use character features for unknown words.", DefaultValueFactory = _ => 0.0 }.AtLeast(0).AtMost(0.95);
    public Option<int> CharDim { get; } = new Option<int>("--char-dim") { Description = "Character embedding width for the per-word character BiRNN; 0 turns character features off.", DefaultValueFactory = _ => 0 }.AtLeast(0);
    public Option<int> CharHidden { get; } = new Option<int>("--char-hidden") { Description = "Hidden units per direction of the character BiRNN.", DefaultValueFactory = _ => 50 }.AtLeast(1);
    public Option<int> CharNGrams { get; } = new Option<int>("--char-ngrams")
    {
        Description = "Add to every word vector the mean of its character n-gram vectors (fastText's subword vectors), orders 1 to this, hashed into 2^--char-ngram-bits rows; 0: off.",
        DefaultValueFactory = _ => 0,
    }.AtLeast(0).AtMost(8);
    public Option<int> CharNGramBits { get; } = new Option<int>("--char-ngram-bits") { Description = "The character n-gram table has 2^this rows of --emsize numbers.", DefaultValueFactory = _ => 20 }.AtLeast(1).AtMost(24);
    public Option<int> MinCount { get; } = new Option<int>("--min-count") { Description = "Words seen fewer times in training become <unk>.", DefaultValueFactory = _ => 1 }.AtLeast(1);
    public Option<int?> MaxVocab { get; } = new Option<int?>("--max-vocab") { Description = "At most this many word-vocabulary entries (the most frequent, special tokens included)." }.AtLeast(4);
    public Option<bool> Lowercase { get; } = new("--lowercase") { Description = "Look words up in lower case (fewer unknown words); character features still see the case." };
    public Option<bool> CharJamo { get; } = new("--char-jamo") { Description = "The character network reads Hangul jamo (했 → ㅎ ㅐ ㅆ) instead of whole syllables." };
    public Option<int> Epochs { get; } = new Option<int>("--epochs") { Description = "Passes over the training data.", DefaultValueFactory = _ => 10 }.AtLeast(1);
    public Option<double> LearningRate { get; } = new Option<double>("--lr") { Description = "Initial learning rate.", DefaultValueFactory = _ => 0.002 }.AtLeast(0);
    public Option<int> BatchSize { get; } = new Option<int>("--batch-size") { Description = "Most sequences per batch (each batch holds sequences of one length).", DefaultValueFactory = _ => 32 }.AtLeast(1);
    public Option<double> Clip { get; } = new Option<double>("--clip") { Description = "Clip the global gradient norm to this (0: no clipping).", DefaultValueFactory = _ => 5.0 }.AtLeast(0);
    public Option<ulong> Seed { get; } = new("--seed") { Description = "Seed for initialisation, shuffling and dropout.", DefaultValueFactory = _ => 1UL };
    public Option<string> Optimizer { get; } = new Option<string>("--optimizer") { Description = "sgd, adam or adamw.", DefaultValueFactory = _ => "adam" }.AcceptOnlyFromAmong("sgd", "adam", "adamw");
    public Option<double> LrDecay { get; } = new Option<double>("--lr-decay") { Description = "Divide the learning rate by this after an epoch that does not improve validation.", DefaultValueFactory = _ => 2.0 }.AtLeast(1);
    public Option<string> LrSchedule { get; } = new Option<string>("--lr-schedule")
    {
        Description = "plateau: divide the learning rate by --lr-decay after an epoch that does not improve validation; linear or cosine: " +
                      "anneal it to zero by the end of the run (the last of --epochs, or --max-minutes if that comes first).",
        DefaultValueFactory = _ => "plateau",
    }.AcceptOnlyFromAmong(Perplex.Training.LearningRateSchedules.Names);
    public Option<double?> MaxMinutes { get; } = new Option<double?>("--max-minutes") { Description = "Stop training after this many minutes (the best model so far stays saved)." }.AtLeast(0);
    public Option<int?> Patience { get; } = new Option<int?>("--patience") { Description = "Stop after this many epochs in a row without a better validation score (the best model stays saved)." }.AtLeast(1);
    public Option<double> Average { get; } = new Option<double>("--average") { Description = "Validate and save an exponential moving average of the weights with this decay per step (e.g. 0.9995: about the last 2,000 steps); 0: the trained weights themselves.", DefaultValueFactory = _ => 0.0 }.AtLeast(0).Below(1);
    public Option<int> Threads { get; } = new Option<int>("--threads") { Description = "Threads: each trains its own copy of the network on a part of every batch, gradients summed in a fixed order (default: all processors, at most 2).", DefaultValueFactory = _ => Math.Min(2, Environment.ProcessorCount) }.AtLeast(1);

    public Option<string?> Resume { get; } = new("--resume")
    {
        Description = "Continue from a training checkpoint (MODEL.ckpt, written after every epoch and on Ctrl+C); give the same data options.",
    };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Model, EmbeddingSize, HiddenSize, Layers, Unidirectional, Dropout, WordDropout, CharDim, CharHidden, CharNGrams, CharNGramBits,
                     MinCount, MaxVocab, Lowercase, CharJamo, Epochs, LearningRate, BatchSize, Clip, Seed, Optimizer, LrDecay, LrSchedule, MaxMinutes, Patience, Average, Threads, Resume })
            command.Options.Add(o);
    }

    public EncoderOptions Encoder(ParseResult r) => new(
        SequenceEncoderConfig.ParseCell(r.GetValue(Model)!), r.GetValue(EmbeddingSize), r.GetValue(HiddenSize), r.GetValue(Layers),
        !r.GetValue(Unidirectional), r.GetValue(Dropout), r.GetValue(WordDropout), r.GetValue(CharDim), r.GetValue(CharHidden),
        r.GetValue(MinCount), r.GetValue(MaxVocab), r.GetValue(Lowercase), r.GetValue(CharJamo), CharNGrams: r.GetValue(CharNGrams),
        CharNGramBits: r.GetValue(CharNGramBits));

    public TrainingSettings Training(ParseResult r)
    {
        return new TrainingSettings(r.GetValue(Epochs), r.GetValue(LearningRate), r.GetValue(BatchSize), r.GetValue(Clip), r.GetValue(Seed),
            r.GetValue(Optimizer)!, r.GetValue(LrDecay), r.GetValue(MaxMinutes), r.GetValue(Threads), r.GetValue(Patience), AverageDecay: r.GetValue(Average),
            Schedule: Perplex.Training.LearningRateSchedules.Parse(r.GetValue(LrSchedule)!));
    }

    /// <summary>
    /// A token that Ctrl+C cancels while training runs (instead of killing the process), so the trainer can finish the
    /// batch in progress and write its checkpoint. Dispose to restore the default Ctrl+C behaviour.
    /// </summary>
    public static CtrlC CatchCtrlC() => new();

    public sealed class CtrlC : IDisposable
    {
        private readonly CancellationTokenSource _source = new();

        public CtrlC() => Console.CancelKeyPress += OnCancel;

        public CancellationToken Token => _source.Token;

        private void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            if (_source.IsCancellationRequested) return; // a second Ctrl+C ends the process
            e.Cancel = true;
            _source.Cancel();
        }

        public void Dispose()
        {
            Console.CancelKeyPress -= OnCancel;
            _source.Dispose();
        }
    }

    /// <summary>The closing line of a training run: where the model is, or how to resume an interrupted run.</summary>
    public static string Summary(string savePath, TrainingOutcome outcome, bool validated, string scoreName) =>
        (validated
            ? $"saved {savePath}: best validation {scoreName} {outcome.BestScore * 100:F2}% (epoch {outcome.BestEpoch}) after {outcome.Seconds:F0} s"
            : $"saved {savePath} (epoch {outcome.BestEpoch}) after {outcome.Seconds:F0} s")
        + (outcome.Interrupted ? $"; interrupted: continue with --resume {SupervisedCheckpoint.PathFor(savePath)}" : "");
}
