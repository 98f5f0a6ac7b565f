using System.Diagnostics;
using Perplex.Diagnostics;
using Perplex.Layers;
using Perplex.Encoders;
using Perplex.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Classification;

/// <summary>Trains a <see cref="ClassifierModel"/> on labeled documents and measures accuracy.</summary>
public static class ClassifierTrainer
{
    /// <summary>
    /// Builds vocabularies and the label set from <paramref name="train"/>, trains, and saves the model to
    /// <paramref name="savePath"/> after every epoch that improves accuracy on <paramref name="valid"/> (every epoch
    /// without validation data). <paramref name="config"/> supplies pooling and preprocessing; its encoder part is
    /// filled in here. Returns the best model. A checkpoint is kept at <see cref="CheckpointPath"/>; with
    /// <paramref name="resumeFrom"/> training continues from such a checkpoint (its architecture and vocabularies win
    /// over <paramref name="options"/>). <paramref name="cancel"/> stops after the batch in progress, keeping everything.
    /// <paramref name="pretraining"/> trains the encoder as a language model first; with <paramref name="teacher"/>, an
    /// n-gram model with those features labels the pretraining texts as extra soft-target examples and is not kept
    /// (see <see cref="Teach"/>). <see cref="TrainingSettings.Adversarial"/> turns on adversarial training.
    /// <see cref="PretrainingData.InVocabulary"/> counts the unlabeled texts into the vocabularies.
    /// <paramref name="labelSmoothing"/> ε trains each labeled document towards (1 − ε)·its label + ε/classes.
    /// <paramref name="teacherMinConfidence"/> keeps only the unlabeled texts whose teacher probability of its top class
    /// is at least that (0 keeps all).
    /// </summary>
    public static (ClassifierModel Model, TrainingOutcome Outcome) Train(IReadOnlyList<LabeledDocument> train, IReadOnlyList<LabeledDocument>? valid,
        EncoderOptions options, Func<SequenceEncoderConfig, ClassifierConfig> config, TrainingSettings settings, string savePath,
        IProgressSink progress, TextWriter log, string? resumeFrom = null, CancellationToken cancel = default, PretrainingData? pretraining = null,
        NGramFeatureConfig? teacher = null, double labelSmoothing = 0, double teacherMinConfidence = 0)
    {
        if (!(teacherMinConfidence is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(teacherMinConfidence), teacherMinConfidence, "a probability lies in [0, 1]");
        if (!(labelSmoothing is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "label smoothing lies in [0, 1)");
        if (teacher is not null && pretraining is null) throw new PerplexException("an n-gram teacher needs unlabeled text to label (--pretrain-text)");
        if (train.Count == 0) throw new PerplexException("no labeled documents in the training data");
        double? limitGiven = settings.MaxMinutes;
        var labels = train.Select(d => d.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (labels.Count < 2) throw new PerplexException($"the training data has only one label ('{labels[0]}'); a classifier needs at least two");
        ClassifierModel model;
        if (resumeFrom is null)
        {
            var counted = train.Select(d => (IReadOnlyList<string>)d.Tokens);
            if (pretraining is { InVocabulary: true }) counted = counted.Concat(pretraining.Texts);
            var clock = Stopwatch.StartNew();
            var built = TokenEncoder.Build(counted, options.MinCount, options.MaxVocab, options.WithChars, "word", options.Lowercase, options.JamoChars, options.Subwords);
            model = new ClassifierModel(config(options.CreateConfig(built)), built, labels, settings.Seed);
            if (built.Subwords is { } bpe)
            {
                // learning the pieces is part of training, so it counts against --max-minutes like the teacher and pretraining
                log.WriteLine($"subwords: {bpe.Merges.Count:N0} byte-pair merges learned, {clock.Elapsed.TotalSeconds:F1} s");
                settings = settings with { MaxMinutes = settings.MaxMinutes is { } m ? Math.Max(0, m - clock.Elapsed.TotalMinutes) : null };
            }
        }
        else
        {
            model = ClassifierModel.Load(resumeFrom);
            if (!model.Labels.SequenceEqual(labels))
                throw new PerplexException($"the checkpoint's labels ({string.Join(", ", model.Labels)}) differ from the training data's ({string.Join(", ", labels)})", resumeFrom);
        }
        var tokens = model.Tokens;
        var labelIds = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var inputs = train.Select(d => tokens.Encode(d.Tokens)).ToList();
        var targets = train.Select(d => labelIds[d.Label]).ToArray();
        log.WriteLine($"classifier: {train.Count:N0} documents, {train.Sum(d => (long)d.Tokens.Count):N0} tokens, labels {string.Join(", ", labels)}, " +
                      $"{tokens.Words.Count:N0} words{(tokens.Chars is null ? "" : $", {tokens.Chars.Count:N0} characters")}, " +
                      $"{model.Network.Parameters.Sum(p => (long)p.Value.Length):N0} parameters");
        if (model.NGrams is { } ngrams && resumeFrom is null)
            settings = TrainNGrams(ngrams, train, targets, settings, log);
        float[]? soft = null;
        if (teacher is not null)
            (inputs, soft, settings) = Teach(teacher, teacherMinConfidence, pretraining!.Texts, train, valid, labelIds, tokens, inputs, targets, settings, log);
        if (labelSmoothing > 0)
            soft = SmoothLabels(soft, targets, labels.Count, labelSmoothing);
        if (pretraining is not null)
            settings = Pretrain(model, pretraining, settings, resumeFrom is not null, progress, log, cancel);
        // What the preparation (subword pieces, n-gram model, teacher, pretraining) took off --max-minutes is kept in the
        // checkpoint: a resumed run skips most of it but still owes its minutes, so the limit bounds the whole run.
        double? preparation = resumeFrom is null ? limitGiven - settings.MaxMinutes : PreparationInCheckpoint(resumeFrom);
        if (resumeFrom is not null && limitGiven is { } given && preparation is { } owed)
        {
            settings = settings with { MaxMinutes = Math.Max(0, given - owed) };
            log.WriteLine($"resuming: the first run's preparation took {owed * 60:F0} s of --max-minutes, so training may run {settings.MaxMinutes * 60:F0} s in all");
        }
        void WriteCheckpoint(string path, IReadOnlyList<Serialization.NamedTensor> tensors, IReadOnlyDictionary<string, string> metadata) =>
            model.SaveCheckpoint(path, tensors, preparation is not { } minutes ? metadata
                : new Dictionary<string, string>(metadata) { [PreparationKey] = minutes.ToString("R", System.Globalization.CultureInfo.InvariantCulture) });
        Func<double>? validate = valid is { Count: > 0 } ? () => Validate(model, valid, labelIds, log) : null;
        var outcome = SupervisedTrainer.Run(new Trainable(model.Network, inputs, targets, settings.Adversarial, soft), inputs.Select(i => i.Length).ToList(),
            settings, validate, _ => model.Save(savePath), progress, log,
            new SupervisedCheckpoint(CheckpointPath(savePath), WriteCheckpoint), resumeFrom, cancel);
        return (ClassifierModel.Load(savePath), outcome);
    }

    /// <summary>
    /// Label smoothing (Szegedy et al., 2016; PyTorch's <c>CrossEntropyLoss(label_smoothing=ε)</c>): the target of each
    /// labeled document becomes (1 − ε)·one-hot + ε/classes, so the network is not pushed towards certainty on reviews
    /// whose labels are noisy. The teacher's soft targets (rows after the labeled ones) are left as they are.
    /// </summary>
    private static float[] SmoothLabels(float[]? soft, int[] targets, int classes, double epsilon)
    {
        soft ??= new float[targets.Length * classes];
        for (int i = 0; i < targets.Length; i++)
            for (int c = 0; c < classes; c++)
                soft[i * classes + c] = (float)((c == targets[i] ? 1 - epsilon : 0) + epsilon / classes);
        return soft;
    }

    /// <summary>Checkpoint metadata: the minutes of --max-minutes that the run's preparation used.</summary>
    internal const string PreparationKey = "perplex.preparation_minutes";

    /// <summary>The minutes the preparation of the run that wrote <paramref name="checkpointPath"/> used, if it had a time limit.</summary>
    private static double? PreparationInCheckpoint(string checkpointPath)
    {
        using var reader = Serialization.ModelFile.Open(checkpointPath, Serialization.ModelFile.CheckpointKind);
        if (!reader.Metadata.TryGetValue(PreparationKey, out var text)) return null;
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double minutes) || !(minutes >= 0))
            throw new PerplexException($"the checkpoint's {PreparationKey} is not a number of minutes: '{text}'", checkpointPath);
        return minutes;
    }

    /// <summary>
    /// Fits the n-gram model before the network (it takes seconds) and returns <paramref name="settings"/> with its time
    /// taken off the time limit, so --max-minutes bounds the whole run.
    /// </summary>
    private static TrainingSettings TrainNGrams(NGramLogisticRegression ngrams, IReadOnlyList<LabeledDocument> train, int[] targets,
        TrainingSettings settings, TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        var features = train.Select(d => ngrams.Features(d.Tokens)).ToList();
        double loss = ngrams.Train(features, targets, settings.Seed ^ 0x96A3UL);
        var c = ngrams.Config;
        log.WriteLine($"n-gram model: word 1..{c.WordOrder}-grams, character 1..{c.CharOrder}-grams{(c.NaiveBayes ? " (naive Bayes scaled)" : "")}, {c.Buckets:N0} buckets, " +
                      $"{features.Average(f => f.Length):F0} features per document, {c.Epochs} epochs, training loss {loss:F4}, {clock.Elapsed.TotalSeconds:F1} s");
        return settings with { MaxMinutes = settings.MaxMinutes is { } m ? Math.Max(0, m - clock.Elapsed.TotalMinutes) : null };
    }

    /// <summary>
    /// Knowledge distillation from an n-gram model over unlabeled text: the n-gram model is fitted on the labeled
    /// documents (seconds), gives its class probabilities for every unlabeled text that is not one of the labeled or
    /// validation documents, and those texts join the training examples with the probabilities as soft targets (the
    /// labeled documents keep one-hot targets). The n-gram model is not kept. Returns the examples, their target
    /// distributions [N][classes], and <paramref name="settings"/> with the time taken off the time limit.
    /// <para>A text whose top class gets less than <paramref name="minConfidence"/> is left out: where the teacher is
    /// unsure it is also mostly wrong (on NSMC it is right on 62 % of the test reviews it gives 0.5–0.65), and a student
    /// copying those guesses learns the teacher's confusion instead of what the labeled documents say. (On NSMC, leaving
    /// out what it gives less than 0.65 did not help the student: docs/applications.md, session 14.)</para>
    /// </summary>
    private static (List<EncodedSequence> Inputs, float[] Soft, TrainingSettings Settings) Teach(NGramFeatureConfig config, double minConfidence,
        IReadOnlyList<IReadOnlyList<string>> texts, IReadOnlyList<LabeledDocument> train, IReadOnlyList<LabeledDocument>? valid,
        Dictionary<string, int> labelIds, TokenEncoder tokens, List<EncodedSequence> inputs, int[] targets, TrainingSettings settings, TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        int classes = labelIds.Count;
        var teacher = new NGramLogisticRegression(config, classes);
        teacher.Train(train.Select(d => teacher.Features(d.Tokens)).ToList(), targets, settings.Seed ^ 0x96A3UL);
        static string Key(IReadOnlyList<string> t) => string.Join('\u001f', t);
        var labeled = new HashSet<string>(train.Select(d => Key(d.Tokens)), StringComparer.Ordinal);
        if (valid is not null) labeled.UnionWith(valid.Select(d => Key(d.Tokens)));
        var unlabeled = texts.Where(t => t.Count >= 1 && t.Count <= PretrainingData.MaxTokens && !labeled.Contains(Key(t))).ToList();
        var all = new List<EncodedSequence>(inputs.Count + unlabeled.Count);
        all.AddRange(inputs);
        var soft = new List<float>((inputs.Count + unlabeled.Count) * classes);
        for (int i = 0; i < inputs.Count; i++)
            for (int c = 0; c < classes; c++) soft.Add(c == targets[i] ? 1 : 0);
        var logP = new float[classes];
        foreach (var text in unlabeled)
        {
            teacher.LogProbabilities(teacher.Features(text), logP);
            if (MathF.Exp(TP.Max(logP)) < minConfidence) continue;
            all.Add(tokens.Encode(text));
            foreach (float l in logP) soft.Add(MathF.Exp(l));
        }
        string validAccuracy = "";
        if (valid is { Count: > 0 })
        {
            int right = 0;
            foreach (var d in valid)
            {
                teacher.LogProbabilities(teacher.Features(d.Tokens), logP);
                if (labelIds.TryGetValue(d.Label, out int gold) && logP.AsSpan().IndexOf(TP.Max(logP)) == gold) right++;
            }
            validAccuracy = $", {100.0 * right / valid.Count:F2}% right on the validation documents";
        }
        log.WriteLine($"n-gram teacher: word 1..{config.WordOrder}-grams, character 1..{config.CharOrder}-grams{(config.NaiveBayes ? " (naive Bayes scaled)" : "")}{validAccuracy}; " +
                      $"its probabilities are the targets of {all.Count - inputs.Count:N0} unlabeled texts ({texts.Count - unlabeled.Count:N0} skipped: " +
                      $"labeled, validation, empty or over {PretrainingData.MaxTokens} tokens" +
                      (minConfidence > 0 ? $"; {unlabeled.Count - (all.Count - inputs.Count):N0} more it is less than {minConfidence:0.###} sure of" : "") +
                      $"), {clock.Elapsed.TotalSeconds:F1} s");
        return (all, soft.ToArray(), settings with { MaxMinutes = settings.MaxMinutes is { } m ? Math.Max(0, m - clock.Elapsed.TotalMinutes) : null });
    }

    /// <summary>
    /// Trains the encoder as a language model on unlabeled text before the classifier (skipped on resume: the checkpoint's
    /// encoder has it already) and returns <paramref name="settings"/> with its time taken off the time limit.
    /// </summary>
    private static TrainingSettings Pretrain(ClassifierModel model, PretrainingData pretraining, TrainingSettings settings, bool resuming,
        IProgressSink progress, TextWriter log, CancellationToken cancel)
    {
        if (resuming)
        {
            log.WriteLine("resuming: the checkpoint's encoder is already pretrained, so --pretrain-text is not used again");
            return settings;
        }
        var clock = Stopwatch.StartNew();
        double? minutes = (pretraining.MaxMinutes, settings.MaxMinutes) switch
        {
            ({ } p, { } m) => Math.Min(p, m),
            (var p, var m) => p ?? m,
        };
        EncoderPretraining.Run(model.Network.Encoder, model.Tokens, pretraining with { MaxMinutes = minutes }, settings, progress, log, cancel);
        return settings with { MaxMinutes = settings.MaxMinutes is { } limit ? Math.Max(0, limit - clock.Elapsed.TotalMinutes) : null };
    }

    /// <summary>
    /// Validation accuracy; with an n-gram model, first chooses its weight on these documents (saved with the model) and
    /// logs the accuracy of each part alone and of the mix.
    /// </summary>
    private static double Validate(ClassifierModel model, IReadOnlyList<LabeledDocument> valid, Dictionary<string, int> labelIds, TextWriter log)
    {
        var scores = model.Score(valid.Select(d => (IReadOnlyList<string>)d.Tokens).ToList());
        var gold = valid.Select(d => labelIds.GetValueOrDefault(d.Label, -1)).ToArray();
        if (model.NGrams is null) return scores.Accuracy(gold, 0);
        double mix = scores.ChooseMix(gold);
        model.SetNGramMix(mix);
        double combined = scores.Accuracy(gold, mix);
        log.WriteLine($"  validation: RNN alone {scores.Accuracy(gold, 0) * 100:F2}%, n-grams alone {scores.Accuracy(gold, 1) * 100:F2}%, " +
                      $"mixed {combined * 100:F2}% (n-gram weight {mix:F2})");
        return combined;
    }

    /// <summary>Where training keeps its checkpoint for a model saved at <paramref name="savePath"/>.</summary>
    public static string CheckpointPath(string savePath) => SupervisedCheckpoint.PathFor(savePath);

    /// <summary>Accuracy of <paramref name="model"/> on <paramref name="documents"/>.</summary>
    public static double Accuracy(ClassifierModel model, IReadOnlyList<LabeledDocument> documents)
    {
        var predicted = model.Classify(documents.Select(d => (IReadOnlyList<string>)d.Tokens).ToList());
        int correct = 0;
        for (int i = 0; i < documents.Count; i++)
            if (predicted[i]?.Label == documents[i].Label) correct++;
        return documents.Count == 0 ? 0 : (double)correct / documents.Count;
    }

    /// <summary>The classifier as <see cref="SupervisedTrainer"/> sees it; with <paramref name="soft"/> ([N][classes]) every
    /// example is trained towards a distribution instead of its label.</summary>
    internal sealed class Trainable(SentenceClassifier<float> network, List<EncodedSequence> inputs, int[] targets, double adversarial = 0,
        float[]? soft = null) : ISupervisedModel
    {
        public IReadOnlyList<Parameter<float>> Parameters => network.Parameters;

        public IReadOnlyList<(Parameter<float> Table, TouchedRows Rows)> SparseTables => network.Encoder.SparseTables;

        public ISupervisedModel CreateReplica(ulong seed) => new Trainable(new SentenceClassifier<float>(network.Encoder.Config, network.ClassCount, network.Pooling, network.OutputDropout.P, new SeededRandom(seed)), inputs, targets, adversarial, soft);

        public bool Training
        {
            get => network.Training;
            set => network.Training = value;
        }

        public double TrainBatch(int[] batch)
        {
            var sequences = batch.Select(i => inputs[i]).ToList();
            if (soft is not null)
            {
                int classes = network.ClassCount;
                var q = new float[batch.Length * classes];
                for (int k = 0; k < batch.Length; k++) soft.AsSpan(batch[k] * classes, classes).CopyTo(q.AsSpan(k * classes));
                if (adversarial > 0) return network.AdversarialSoftLoss(sequences, q, adversarial);
                float softLoss = network.SoftLoss(sequences, q);
                network.Backward();
                return softLoss;
            }
            var labels = batch.Select(i => targets[i]).ToArray();
            if (adversarial > 0) return network.AdversarialLoss(sequences, labels, adversarial);
            float loss = network.Loss(sequences, labels);
            network.Backward();
            return loss;
        }
    }
}
