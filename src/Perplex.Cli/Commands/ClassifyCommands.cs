using System.CommandLine;
using System.Globalization;
using Perplex.Classification;
using Perplex.Encoders;
using Perplex.Evaluation;
using Perplex.Layers;
using Perplex.Text;

namespace Perplex.Cli.Commands;

/// <summary>
/// <c>perplex classify …</c>: sentence classification (e.g. NSMC sentiment). <c>perplex classify MODEL "text"</c>
/// prints the label and its probability; the subcommands train, evaluate and export hidden states.
/// </summary>
internal static class ClassifyCommands
{
    public static Command Create()
    {
        var model = new Argument<string?>("model") { Description = "A classifier model file.", Arity = ArgumentArity.ZeroOrOne };
        var texts = new Argument<string[]>("text")
        {
            Description = "Texts to classify; without any, each line of --input is one text.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var input = new Option<string>("--input", "-i") { Description = "Read texts from this file, one per line ('-' for standard input).", DefaultValueFactory = _ => "-" };
        var command = new Command("classify", "Sentence classification with an RNN encoder and last/max/mean pooling. 'perplex classify MODEL \"text\"' prints label and probability.")
        {
            model, texts, input,
        };
        command.Subcommands.Add(CreateTrain());
        command.Subcommands.Add(CreateEval());
        command.Subcommands.Add(CreateEncode());
        command.SetAction(result =>
        {
            var path = result.GetValue(model)
                ?? throw new PerplexException("give a model file ('perplex classify MODEL \"text\"') or a subcommand: train, eval, encode (see 'perplex classify --help')");
            var classifier = ClassifierModel.Load(path);
            var lines = Texts(result.GetValue(texts)!, result.GetValue(input)!);
            var predictions = classifier.Classify(lines.Select(l => (IReadOnlyList<string>)classifier.Tokenize(l)).ToList());
            var o = result.InvocationConfiguration.Output;
            for (int i = 0; i < lines.Count; i++)
                o.WriteLine(predictions[i] is { } p
                    ? $"{p.Label}\t{p.Probability.ToString("F4", CultureInfo.InvariantCulture)}\t{lines[i]}"
                    : $"-\t-\t{lines[i]}\t(empty text)");
            return 0;
        });
        return command;
    }

    private static List<string> Texts(string[] given, string input) =>
        given.Length > 0 ? given.ToList() : Utf8LineReader.ReadLines(input).Select(l => l.Text).ToList();

    private static Command CreateTrain()
    {
        var train = new Option<string>("--train") { Description = "Labeled TSV with a header (e.g. NSMC ratings_train.txt).", Required = true };
        var valid = new Option<string?>("--valid") { Description = "Labeled validation TSV: the model is saved after each epoch that improves its accuracy." };
        var validFraction = new Option<double>("--valid-fraction")
        {
            Description = "Without --valid: hold out this fraction of the training documents (chosen by --seed) for validation; 0 saves every epoch.",
            DefaultValueFactory = _ => 0.0,
        }.AtLeast(0).AtMost(0.5);
        var save = new Option<string>("--save") { Description = "Where to write the model (safetensors).", Required = true };
        var textColumn = new Option<string>("--text-column") { Description = "Header name of the text column.", DefaultValueFactory = _ => "document" };
        var labelColumn = new Option<string>("--label-column") { Description = "Header name of the label column.", DefaultValueFactory = _ => "label" };
        var tokenizer = new Option<string>("--tokenizer") { Description = "Tokens: word (white space), split (words split where letters, jamo, digits and punctuation meet), char (graphemes) or jamo.", DefaultValueFactory = _ => "word" }.AcceptOnlyFromAmong(ClassifierTokenizers.Names);
        var normalization = new Option<string>("--normalization") { Description = "Unicode normalization: nfc, nfd, nfkc, nfkd or none.", DefaultValueFactory = _ => "nfc" }.AcceptOnlyFromAmong("nfc", "nfd", "nfkc", "nfkd", "none");
        var pooling = new Option<string>("--pooling") { Description = "How hidden states become one vector: last (final states), max or mean over all positions, or concat (all three side by side).", DefaultValueFactory = _ => "max" }.AcceptOnlyFromAmong(Poolings.Names);
        var ngramWords = new Option<int>("--ngram-words")
        {
            Description = "Also train a logistic regression on hashed token n-grams of length 1..N (and --ngram-chars) and mix its log-probabilities with the RNN's, weighted on validation data; 0: none.",
            DefaultValueFactory = _ => 0,
        }.AtLeast(0).AtMost(5);
        var ngramChars = new Option<int>("--ngram-chars") { Description = "Character n-grams of length 1..N for that n-gram model; 0: none.", DefaultValueFactory = _ => 0 }.AtLeast(0).AtMost(8);
        var ngramBits = new Option<int>("--ngram-bits") { Description = "The n-grams are hashed into 2^N buckets (model file: 2^N × labels floats).", DefaultValueFactory = _ => 22 }.AtLeast(8).AtMost(NGramFeatureConfig.MaxHashBits);
        var ngramEpochs = new Option<int>("--ngram-epochs") { Description = "AdaGrad passes of the n-gram model.", DefaultValueFactory = _ => 2 }.AtLeast(1);
        var ngramLr = new Option<double>("--ngram-lr") { Description = "AdaGrad step size of the n-gram model.", DefaultValueFactory = _ => 0.025 }.AtLeast(0);
        var ngramNb = new Option<bool>("--ngram-nb")
        {
            Description = "Train the n-gram model on features scaled by their naive Bayes log-count ratios (as NBSVM) instead of binary ones.",
        };
        var pretrainText = new Option<string?>("--pretrain-text")
        {
            Description = "Unlabeled text, one document per line: the encoder is first trained on it as a language model (forward states predict the next word, "
                + "backward states the previous one), within --max-minutes. Leave out any document you evaluate on.",
        };
        var pretrainWords = new Option<int>("--pretrain-words") { Description = "Word ids the language model predicts one by one (the most frequent; the rest are one class).", DefaultValueFactory = _ => 5000 }.AtLeast(4);
        var pretrainEpochs = new Option<int>("--pretrain-epochs") { Description = "Passes over --pretrain-text.", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var adversarial = new Option<double>("--adversarial")
        {
            Description = "Adversarial training: also train on each batch with its input vectors (word embedding and character feature) moved by this much (norm per text) in the direction that raises the loss most; 0: off.",
            DefaultValueFactory = _ => 0,
        }.AtLeast(0);
        var ngramTeacher = new Option<bool>("--ngram-teacher")
        {
            Description = "Use the n-gram model as a teacher instead of mixing it in: its probabilities for the --pretrain-text texts become extra training targets for the RNN, and the model keeps the RNN alone.",
        };
        var teacherConfidence = new Option<double>("--ngram-teacher-confidence")
        {
            Description = "With --ngram-teacher, keep only the unlabeled texts whose top class the teacher gives at least this probability (where it is unsure it is mostly wrong); 0: keep all.",
            DefaultValueFactory = _ => 0,
        }.AtLeast(0).AtMost(1);
        var labelSmoothing = new Option<double>("--label-smoothing")
        {
            Description = "Train each labeled document towards (1 − ε)·its label + ε spread over all labels (PyTorch's label_smoothing); 0: off.",
            DefaultValueFactory = _ => 0,
        }.AtLeast(0).Below(1);
        var vocabFromPretrain = new Option<bool>("--vocab-from-pretrain")
        {
            Description = "Count the --pretrain-text words too when building the vocabularies (raise --max-vocab with it): words seen only in the unlabeled text get embeddings of their own, trained by pretraining and by an --ngram-teacher.",
        };
        var subwords = new Option<int>("--subwords")
        {
            Description = "Cut every token into byte-pair pieces learned from the training text (and --pretrain-text with --vocab-from-pretrain), up to this many symbols; the pieces are what the RNN reads. 0: whole tokens.",
            DefaultValueFactory = _ => 0,
        }.AtLeast(0);
        var pretrainMinutes = new Option<double?>("--pretrain-minutes") { Description = "Stop pretraining after this many minutes (they count against --max-minutes)." }.AtLeast(0);
        var shared = new EncoderTrainingOptions();
        var command = new Command("train", "Train a sentence classifier (RNN/LSTM/GRU encoder, pooling, linear, softmax), optionally mixed with an n-gram model.")
        {
            train, valid, validFraction, save, textColumn, labelColumn, tokenizer, normalization, pooling, ngramWords, ngramChars, ngramBits, ngramEpochs, ngramLr, ngramNb,
            pretrainText, pretrainWords, pretrainEpochs, pretrainMinutes, vocabFromPretrain, adversarial, ngramTeacher, teacherConfidence, labelSmoothing, subwords,
        };
        shared.AddTo(command);
        command.SetAction(result =>
        {
            var o = result.InvocationConfiguration.Output;
            var tok = result.GetValue(tokenizer)!;
            var options = shared.Encoder(result) with { Subwords = result.GetValue(subwords) };
            if (options.Subwords > 0 && !ClassifierTokenizers.YieldsWords(tok))
                throw new PerplexException($"--subwords cuts words into pieces; it needs --tokenizer word or split, not {tok}");
            if (options.WithChars && !ClassifierTokenizers.YieldsWords(tok))
                throw new PerplexException($"--char-dim and --char-ngrams build word representations from characters; they need --tokenizer word or split, not {tok}");
            var norm = TextNormalization.Parse(result.GetValue(normalization)!);
            var (textCol, labelCol) = (result.GetValue(textColumn)!, result.GetValue(labelColumn)!);
            var trainPath = result.GetValue(train)!;
            var trainData = Read(trainPath, textCol, labelCol, ClassifierTokenizers.Create(tok), norm, null, o);
            var documents = trainData.Documents;
            List<LabeledDocument>? validDocuments = null;
            if (result.GetValue(valid) is { } validPath)
                validDocuments = Read(validPath, textCol, labelCol, ClassifierTokenizers.Create(tok), norm, null, o).Documents;
            else if (result.GetValue(validFraction) is > 0 and var fraction)
            {
                var order = Enumerable.Range(0, documents.Count).ToList();
                Encoders.LengthBatches.Shuffle(order, new SeededRandom(result.GetValue(shared.Seed) ^ 0xA11DUL));
                int held = (int)Math.Round(documents.Count * fraction);
                validDocuments = order.Take(held).Select(i => documents[i]).ToList();
                documents = order.Skip(held).Order().Select(i => documents[i]).ToList();
                o.WriteLine($"holding out {held:N0} training documents for validation");
            }
            var settings = shared.Training(result) with { Adversarial = result.GetValue(adversarial) };
            var poolingMethod = Poolings.Parse(result.GetValue(pooling)!);
            NGramFeatureConfig? ngrams = null;
            if (result.GetValue(ngramWords) + result.GetValue(ngramChars) > 0)
            {
                ngrams = new NGramFeatureConfig(result.GetValue(ngramWords), result.GetValue(ngramChars), result.GetValue(ngramBits),
                    result.GetValue(ngramEpochs), result.GetValue(ngramLr), result.GetValue(ngramNb));
                ngrams.Validate();
                if (validDocuments is null && !result.GetValue(ngramTeacher))
                    o.WriteLine("note: without validation data the RNN and the n-gram model get equal weight (0.5)");
            }
            else if (result.GetValue(ngramNb))
            {
                throw new PerplexException("--ngram-nb changes how the n-gram model is trained; it needs --ngram-words and/or --ngram-chars");
            }
            NGramFeatureConfig? teacher = null;
            if (result.GetValue(ngramTeacher))
            {
                if (ngrams is null) throw new PerplexException("--ngram-teacher needs the n-gram model's features (--ngram-words and/or --ngram-chars)");
                if (result.GetValue(pretrainText) is null) throw new PerplexException("--ngram-teacher needs unlabeled text for the teacher to label (--pretrain-text)");
                (teacher, ngrams) = (ngrams, null);
            }
            else if (result.GetValue(teacherConfidence) > 0)
            {
                throw new PerplexException("--ngram-teacher-confidence chooses which texts the n-gram teacher labels; it needs --ngram-teacher");
            }
            PretrainingData? pretraining = null;
            if (result.GetValue(vocabFromPretrain) && result.GetValue(pretrainText) is null)
                throw new PerplexException("--vocab-from-pretrain counts the words of --pretrain-text; give that file too");
            if (result.GetValue(pretrainText) is { } pretrainPath)
            {
                var tokenize = ClassifierTokenizers.Create(tok);
                var texts = Utf8LineReader.ReadLines(pretrainPath).Select(l => (IReadOnlyList<string>)tokenize.Tokenize(TextNormalization.Normalize(l.Text, norm)))
                    .Where(t => t.Count > 0).ToList();
                if (!texts.Any(t => t.Count >= 2 && t.Count <= PretrainingData.MaxTokens))
                    throw new PerplexException($"no text of 2 to {PretrainingData.MaxTokens} tokens to pretrain on", pretrainPath);
                pretraining = new PretrainingData(texts, result.GetValue(pretrainWords), result.GetValue(pretrainEpochs), result.GetValue(pretrainMinutes),
                    result.GetValue(vocabFromPretrain));
            }
            using var ctrlC = EncoderTrainingOptions.CatchCtrlC();
            var (model, outcome) = ConsoleProgress.Run(result.GetValue(CommonOptions.Quiet), progress =>
                ClassifierTrainer.Train(documents, validDocuments, options,
                    encoder => new ClassifierConfig(encoder, poolingMethod, tok, norm.ToString().ToLowerInvariant(), textCol, labelCol, options.Dropout, ngrams),
                    settings, result.GetValue(save)!, progress, o, result.GetValue(shared.Resume), ctrlC.Token, pretraining, teacher, result.GetValue(labelSmoothing),
                    result.GetValue(teacherConfidence)));
            o.WriteLine(EncoderTrainingOptions.Summary(result.GetValue(save)!, outcome, validDocuments is not null, "accuracy"));
            return outcome.Interrupted ? 130 : 0; // 128 + SIGINT, as shells report an interrupted program
        });
        return command;
    }

    private static LabeledData Read(string path, string textColumn, string labelColumn, ITokenizer tokenizer, UnicodeNormalization normalization,
        IReadOnlyCollection<string>? labels, TextWriter log)
    {
        var data = LabeledText.Read(path, textColumn, labelColumn, tokenizer, normalization, labels);
        if (data.SkippedEmpty > 0) log.WriteLine($"{path}: skipped {data.SkippedEmpty} empty document{(data.SkippedEmpty == 1 ? "" : "s")}");
        if (data.Documents.Count == 0) throw new PerplexException("no labeled documents with text", path);
        return data;
    }

    private static Command CreateEval()
    {
        var model = new Argument<string>("model") { Description = "A classifier model file." };
        var data = new Argument<string>("data") { Description = "Labeled TSV to score (columns as in training unless overridden)." };
        var textColumn = new Option<string?>("--text-column") { Description = "Header name of the text column (default: the one used in training)." };
        var labelColumn = new Option<string?>("--label-column") { Description = "Header name of the label column (default: the one used in training)." };
        var command = new Command("eval", "Accuracy, per-class precision/recall/F1 and the confusion matrix of a classifier on labeled data.") { model, data, textColumn, labelColumn };
        command.SetAction(result =>
        {
            var classifier = ClassifierModel.Load(result.GetValue(model)!);
            var o = result.InvocationConfiguration.Output;
            var labeled = Read(result.GetValue(data)!, result.GetValue(textColumn) ?? classifier.Config.TextColumn,
                result.GetValue(labelColumn) ?? classifier.Config.LabelColumn, classifier.Tokenizer,
                TextNormalization.Parse(classifier.Config.Normalization), classifier.Labels.ToHashSet(StringComparer.Ordinal), o);
            var documents = labeled.Documents.Select(d => (IReadOnlyList<string>)d.Tokens).ToList();
            var scores = classifier.Score(documents);
            var predictions = classifier.Predict(scores);
            if (classifier.NGrams is not null)
            {
                // Show what each part contributes, so the mix is never mistaken for the RNN alone.
                var ids = classifier.Labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
                var gold = labeled.Documents.Select(d => ids[d.Label]).ToArray();
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"RNN alone: {scores.Accuracy(gold, 0) * 100:F2}%, n-grams alone: {scores.Accuracy(gold, 1) * 100:F2}%, " +
                    $"mixed with n-gram weight {classifier.Config.NGramMix:F2}: {scores.Accuracy(gold, classifier.Config.NGramMix) * 100:F2}%"));
            }
            var report = new ClassificationReport(classifier.Labels);
            for (int i = 0; i < predictions.Length; i++) report.Add(labeled.Documents[i].Label, predictions[i]!.Label);
            o.Write(report.Format());
            return 0;
        });
        return command;
    }

    private static Command CreateEncode()
    {
        var input = new Option<string>("--input", "-i") { Description = "Read texts from this file, one per line ('-' for standard input).", DefaultValueFactory = _ => "-" };
        var model = new Argument<string>("model") { Description = "A classifier model file." };
        var texts = new Argument<string[]>("text") { Description = "Texts to encode; without any, each line of --input is one text.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("encode", "Print the encoder's hidden states: one line per token, the token then its D·H numbers, a blank line between texts.") { model, texts, input };
        command.SetAction(result =>
        {
            var classifier = ClassifierModel.Load(result.GetValue(model)!);
            var lines = Texts(result.GetValue(texts)!, result.GetValue(input)!);
            HiddenStateWriter.Write(result.InvocationConfiguration.Output, classifier.Network.Encoder, classifier.Tokens,
                lines.Select(l => (IReadOnlyList<string>)classifier.Tokenize(l)));
            return 0;
        });
        return command;
    }
}
