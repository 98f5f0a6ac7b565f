using Perplex.Diagnostics;
using Perplex.Layers;
using Perplex.Encoders;
using Perplex.Tensors;
using Perplex.Text;

namespace Perplex.Tagging;

/// <summary>Trains a <see cref="TaggerModel"/> on tagged sentences and measures token accuracy.</summary>
public static class TaggerTrainer
{
    /// <summary>
    /// Builds vocabularies and the tag set from <paramref name="train"/>, trains, and saves the model to
    /// <paramref name="savePath"/> after every epoch that improves token accuracy on <paramref name="valid"/>
    /// (every epoch when there is no validation data). Returns the best model. A checkpoint is kept at
    /// <see cref="CheckpointPath"/>; with <paramref name="resumeFrom"/> training continues from such a checkpoint (its
    /// architecture, vocabularies and tag set win). <paramref name="cancel"/> stops after the batch in progress.
    /// </summary>
    public static (TaggerModel Model, TrainingOutcome Outcome) Train(IReadOnlyList<TaggedSentence> train, IReadOnlyList<TaggedSentence>? valid,
        EncoderOptions options, string column, TrainingSettings settings, string savePath, IProgressSink progress, TextWriter log,
        string? resumeFrom = null, CancellationToken cancel = default)
    {
        train = train.Where(s => s.Tokens.Count > 0).ToList();
        if (train.Count == 0) throw new PerplexException("no tagged sentences in the training data");
        TaggerModel model;
        if (resumeFrom is null)
        {
            var built = TokenEncoder.Build(train.Select(s => (IReadOnlyList<string>)s.Tokens), options.MinCount, options.MaxVocab, options.WithChars, lowercaseWords: options.Lowercase, jamoChars: options.JamoChars);
            var tagSet = train.SelectMany(s => s.Tags).GroupBy(t => t, StringComparer.Ordinal)
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).ToList();
            model = new TaggerModel(new TaggerConfig(options.CreateConfig(built), column, options.Dropout), built, tagSet, settings.Seed);
        }
        else
        {
            model = TaggerModel.Load(resumeFrom);
            var unknown = train.SelectMany(s => s.Tags).FirstOrDefault(t => !model.Tags.Contains(t));
            if (unknown is not null) throw new PerplexException($"tag '{unknown}' of the training data is not in the checkpoint's tag set", resumeFrom);
        }
        var (tokens, tags) = (model.Tokens, model.Tags);
        var tagIds = tags.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i, StringComparer.Ordinal);
        var examples = train.Select(s => (Input: tokens.Encode(s.Tokens), Tags: s.Tags.Select(t => tagIds[t]).ToArray())).ToList();
        log.WriteLine($"tagger: {train.Count:N0} sentences, {examples.Sum(e => e.Tags.Length):N0} tokens, {tags.Count} tags, " +
                      $"{tokens.Words.Count:N0} words{(tokens.Chars is null ? "" : $", {tokens.Chars.Count:N0} characters")}, " +
                      $"{model.Network.Parameters.Sum(p => (long)p.Value.Length):N0} parameters");

        Func<double>? validate = valid is { Count: > 0 } ? () => Accuracy(model, valid) : null;
        var outcome = SupervisedTrainer.Run(new Trainable(model.Network, examples), examples.Select(e => e.Tags.Length).ToList(),
            settings, validate, _ => model.Save(savePath), progress, log,
            new SupervisedCheckpoint(CheckpointPath(savePath), model.SaveCheckpoint), resumeFrom, cancel);
        return (TaggerModel.Load(savePath), outcome);
    }

    /// <summary>Where training keeps its checkpoint for a model saved at <paramref name="savePath"/>.</summary>
    public static string CheckpointPath(string savePath) => SupervisedCheckpoint.PathFor(savePath);

    /// <summary>Token accuracy of <paramref name="model"/> on <paramref name="sentences"/>.</summary>
    public static double Accuracy(TaggerModel model, IReadOnlyList<TaggedSentence> sentences)
    {
        var predicted = model.Tag(sentences.Select(s => (IReadOnlyList<string>)s.Tokens).ToList());
        long correct = 0, total = 0;
        for (int i = 0; i < sentences.Count; i++)
            for (int j = 0; j < predicted[i].Length; j++)
            {
                total++;
                if (predicted[i][j] == sentences[i].Tags[j]) correct++;
            }
        return total == 0 ? 0 : (double)correct / total;
    }

    private sealed class Trainable(SequenceTagger<float> network, List<(EncodedSequence Input, int[] Tags)> examples) : ISupervisedModel
    {
        public IReadOnlyList<Parameter<float>> Parameters => network.Parameters;

        public IReadOnlyList<(Parameter<float> Table, TouchedRows Rows)> SparseTables => network.Encoder.SparseTables;

        public ISupervisedModel CreateReplica(ulong seed) => new Trainable(new SequenceTagger<float>(network.Encoder.Config, network.TagCount, network.OutputDropout.P, new SeededRandom(seed)), examples);

        public bool Training
        {
            get => network.Training;
            set => network.Training = value;
        }

        public double TrainBatch(int[] batch)
        {
            float loss = network.Loss(batch.Select(i => examples[i].Input).ToList(), batch.Select(i => examples[i].Tags).ToList());
            network.Backward();
            return loss;
        }
    }
}
