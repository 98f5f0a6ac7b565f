using Perplex.Diagnostics;
using Perplex.Inference;
using Perplex.Models;
using Perplex.Tests.Training;
using Perplex.Text;
using Perplex.Training;
using Xunit;

namespace Perplex.Tests.Inference;

/// <summary>One small model trained to near-memorise the tiny corpus, shared by the generator tests.</summary>
public sealed class TrainedTinyModel
{
    public TrainedTinyModel() => (Model, Vocabulary) = Train();

    public NeuralLanguageModel<float> Model { get; }

    public Vocabulary Vocabulary { get; }

    private static (NeuralLanguageModel<float>, Vocabulary) Train()
    {
        var vocabulary = TinyCorpus.Vocabulary();
        var model = LanguageModels.Create<float>(TinyCorpus.Config(vocabulary), 2);
        var tokens = TinyCorpus.Tokens(vocabulary, 12);
        var trainer = new Trainer(model, vocabulary, tokens, tokens, null,
            new TrainingOptions { Epochs = 40, BatchSize = 4, Bptt = 6, Optimizer = "adam", LearningRate = 0.02, EvalBatchSize = 2 });
        trainer.Run(NullProgress.Instance);
        return (model, vocabulary);
    }
}

public sealed class NeuralGeneratorTests(TrainedTinyModel trained) : IClassFixture<TrainedTinyModel>
{
    private (NeuralLanguageModel<float>, Vocabulary) Trained() => (trained.Model, trained.Vocabulary);

    [Fact]
    public void AutocompleteAndGreedyGenerationFollowTheLearnedText()
    {
        var (model, vocabulary) = Trained();
        var generator = new NeuralGenerator(model, vocabulary);
        var prompt = generator.Encode("the cat sat on the", UnknownWordPolicy.Fail);
        var top = generator.Complete(prompt.Ids, 3);
        Assert.Equal(3, top.Count);
        Assert.Equal("mat", top[0].Token);
        Assert.True(top[0].Probability > 0.5, $"p(mat) = {top[0].Probability}");
        Assert.True(top[0].Probability >= top[1].Probability && top[1].Probability >= top[2].Probability);

        // The model learned the text as a cycle of three lines, so greedy decoding runs on into the next line.
        var greedy = generator.Generate(generator.Encode("the cat sat", UnknownWordPolicy.Fail).Ids, 9, new SamplingOptions(Greedy: true), new TrainingRandom(1));
        Assert.Equal("on the mat\nthe dog ate the bone", generator.Detokenize(greedy));
    }

    [Fact]
    public void SamplingIsReproducibleWithASeedAndUnknownPromptWordsFollowThePolicy()
    {
        var (model, vocabulary) = Trained();
        var generator = new NeuralGenerator(model, vocabulary);
        var options = new SamplingOptions(Temperature: 1.5, TopK: 5, TopP: 0.95);
        var prompt = generator.Encode("a zebra sang", UnknownWordPolicy.MapToUnk);
        Assert.Equal(["zebra"], prompt.Unknown);
        Assert.Equal(Vocabulary.UnkId, prompt.Ids[1]);
        Assert.Equal(2, generator.Encode("a zebra sang", UnknownWordPolicy.Skip).Ids.Length);
        Assert.Throws<PerplexException>(() => generator.Encode("a zebra sang", UnknownWordPolicy.Fail));

        var first = generator.Generate(prompt.Ids, 30, options, new TrainingRandom(9)).ToList();
        var second = generator.Generate(prompt.Ids, 30, options, new TrainingRandom(9)).ToList();
        Assert.Equal(first, second);
        Assert.DoesNotContain(Vocabulary.BosId, first);
    }
}
