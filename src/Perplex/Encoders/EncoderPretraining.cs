using System.Diagnostics;
using Perplex.Diagnostics;
using Perplex.Layers;
using Perplex.Tensors;

namespace Perplex.Encoders;

/// <summary>What <c>--pretrain-text</c> asks for: unlabeled token sequences and how long to train on them.</summary>
/// <param name="Texts">Tokenized texts (one per line of the file); those outside 2..<see cref="MaxTokens"/> tokens are skipped.</param>
/// <param name="OutputWords">Word ids the heads predict one by one (the rest are one class).</param>
/// <param name="Epochs">Passes over the texts.</param>
/// <param name="MaxMinutes">Stops after the batch that crosses this much time (it also counts against the task's own limit).</param>
/// <param name="InVocabulary">The texts' tokens are counted with the labeled ones when the vocabularies are built, so
/// words seen only in the unlabeled text get embeddings of their own.</param>
public sealed record PretrainingData(IReadOnlyList<IReadOnlyList<string>> Texts, int OutputWords = 5000, int Epochs = 1, double? MaxMinutes = null,
    bool InVocabulary = false)
{
    /// <summary>Longer texts are skipped: they are rare in review-sized data and each would make a batch of its own length.</summary>
    public const int MaxTokens = 60;
}

/// <summary>Runs <see cref="EncoderLanguageModel{T}"/> training with the task's own loop (<see cref="SupervisedTrainer"/>).</summary>
public static class EncoderPretraining
{
    /// <summary>
    /// Trains <paramref name="encoder"/> in place as a language model on <paramref name="data"/>, with the optimizer
    /// settings, batch size, threads, seed and learning-rate schedule of <paramref name="settings"/> (a linear or cosine
    /// schedule runs its own course over the pretraining epochs or minutes; no validation, nothing saved). Returns the
    /// last epoch's mean cross-entropy per prediction (averaged over the two directions).
    /// </summary>
    public static double Run(SequenceEncoder<float> encoder, TokenEncoder tokens, PretrainingData data, TrainingSettings settings,
        IProgressSink progress, TextWriter log, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var texts = data.Texts.Where(t => t.Count >= 2 && t.Count <= PretrainingData.MaxTokens).Select(tokens.Encode).ToList();
        if (texts.Count == 0) throw new PerplexException($"no pretraining text has 2 to {PretrainingData.MaxTokens} tokens");
        log.WriteLine($"pretraining the encoder as a language model: {texts.Count:N0} texts, {texts.Sum(x => (long)x.Length):N0} tokens, " +
                      $"{data.OutputWords:N0} words predicted one by one");
        var lm = new EncoderLanguageModel<float>(encoder, data.OutputWords);
        lm.InitializeHeads(new SeededRandom(settings.Seed ^ 0x1234UL));
        // the weight average serves the task's validated model; pretraining hands on its last weights, so it does not average
        var pre = settings with { Epochs = data.Epochs, MaxMinutes = data.MaxMinutes, Patience = null, AverageDecay = 0 };
        // without validation the trainer keeps every epoch, and its best score is the last epoch's training loss, negated
        var outcome = SupervisedTrainer.Run(new Trainable(lm, texts), texts.Select(x => x.Length).ToList(), pre, null, _ => { }, progress,
            new PrefixedWriter(log, "  pretraining "), cancel: cancel);
        log.WriteLine($"pretraining done in {clock.Elapsed.TotalSeconds:F0} s");
        return -outcome.BestScore;
    }

    /// <summary>The trainer's log lines, marked as the pretraining's (and without its ", saved": nothing is saved here).</summary>
    private sealed class PrefixedWriter(TextWriter inner, string prefix) : TextWriter
    {
        private const string Saved = ", saved";

        public override System.Text.Encoding Encoding => inner.Encoding;

        // ", saved" ends the line, or comes before the ", lr now …" that a linear or cosine schedule adds
        public override void WriteLine(string? value)
        {
            string line = (value ?? "").Replace(Saved + ",", ",", StringComparison.Ordinal);
            if (line.EndsWith(Saved, StringComparison.Ordinal)) line = line[..^Saved.Length];
            inner.WriteLine(prefix + line);
        }
    }

    /// <summary>The objective as a model the trainer can run (and copy for its threads).</summary>
    private sealed class Trainable(EncoderLanguageModel<float> lm, List<EncodedSequence> texts) : ISupervisedModel
    {
        public IReadOnlyList<Parameter<float>> Parameters => lm.Parameters;

        public IReadOnlyList<(Parameter<float> Table, TouchedRows Rows)> SparseTables => lm.Encoder.SparseTables;

        public bool Training
        {
            get => lm.Encoder.Training;
            set => lm.Encoder.Training = value;
        }

        public ISupervisedModel CreateReplica(ulong seed)
            => new Trainable(new EncoderLanguageModel<float>(new SequenceEncoder<float>(lm.Encoder.Config, new SeededRandom(seed)), lm.OutputWords), texts);

        public double TrainBatch(int[] batch)
        {
            float loss = lm.Loss(batch.Select(i => texts[i]).ToList());
            lm.BackwardPass();
            return loss / (lm.BackwardHead is null ? 1 : 2); // reported per prediction: the mean over the directions
        }
    }
}
