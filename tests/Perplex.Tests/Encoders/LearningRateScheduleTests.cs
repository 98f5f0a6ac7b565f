using Perplex.Classification;
using Perplex.Diagnostics;
using Perplex.Encoders;
using Perplex.Tensors;
using Perplex.Training;
using Xunit;

namespace Perplex.Tests.Encoders;

public class LearningRateScheduleTests
{
    /// <summary>One weight whose gradient is always 1: with plain SGD every step moves it by exactly that step's learning rate.
    /// Its loss keeps falling, so the plateau schedule (which without validation watches the training loss) never cuts the rate.</summary>
    private sealed class ConstantGradient : ISupervisedModel
    {
        private int _steps;

        public Parameter<float> Weight { get; } = new("w", 1);

        public IReadOnlyList<Parameter<float>> Parameters => [Weight];

        public IReadOnlyList<(Parameter<float> Table, TouchedRows Rows)> SparseTables => [];

        public bool Training { get; set; }

        public double TrainBatch(int[] examples)
        {
            Weight.Grad.Data[0] += 1;
            return 1.0 / ++_steps;
        }

        public ISupervisedModel CreateReplica(ulong seed) => throw new NotSupportedException("one thread only");
    }

    [Theory]
    [InlineData(LearningRateSchedule.Plateau)]
    [InlineData(LearningRateSchedule.Linear)]
    [InlineData(LearningRateSchedule.Cosine)]
    public void EveryStepUsesTheRateOfTheFractionOfTheRunBeforeIt(LearningRateSchedule schedule)
    {
        // 10 examples of one length in batches of 2: 5 steps per epoch, 15 in 3 epochs
        const int epochs = 3, steps = 15;
        const double lr = 0.01;
        var model = new ConstantGradient();
        SupervisedTrainer.Run(model, Enumerable.Repeat(1, 10).ToList(),
            new TrainingSettings(Epochs: epochs, LearningRate: lr, BatchSize: 2, Clip: 0, Optimizer: "sgd", Schedule: schedule),
            validate: null, save: _ => { }, NullProgress.Instance, TextWriter.Null);

        double expected = 0;
        for (int t = 0; t < steps; t++)
            expected -= lr * schedule switch
            {
                LearningRateSchedule.Linear => 1 - (double)t / steps,
                LearningRateSchedule.Cosine => 0.5 * (1 + Math.Cos(Math.PI * t / steps)),
                _ => 1,
            };
        Assert.Equal(expected, model.Weight.Value.Data[0], 5);
    }

    [Fact]
    public void TheMultiplierStaysWithinTheRun()
    {
        Assert.Equal(0, LearningRateSchedules.Multiplier(LearningRateSchedule.Linear, 1.5));
        Assert.Equal(1, LearningRateSchedules.Multiplier(LearningRateSchedule.Cosine, -0.1));
        Assert.Equal(1, LearningRateSchedules.Multiplier(LearningRateSchedule.Plateau, 0.7));
        Assert.Contains("unknown learning-rate schedule 'step'", Assert.Throws<PerplexException>(() => LearningRateSchedules.Parse("step")).Message);
    }

    private static List<LabeledDocument> Documents(int count, int seed) =>
        Perplex.Tests.Classification.ClassifyCliTests.Reviews(count, seed).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split('\t')).Select((f, i) => new LabeledDocument(i + 2, [.. f[1].Split(' ')], f[2])).ToList();

    [Fact]
    public void AnInterruptedRunResumesOnTheSameSchedule()
    {
        using var dir = new TempDir();
        var train = Documents(120, 1);
        var valid = Documents(40, 2);
        var options = new EncoderOptions(EmbeddingSize: 8, HiddenSize: 8, Dropout: 0, CharDim: 4, CharHidden: 4);
        var settings = new TrainingSettings(Epochs: 4, LearningRate: 0.02, BatchSize: 8, Threads: 1, Schedule: LearningRateSchedule.Linear);
        ClassifierConfig Config(SequenceEncoderConfig encoder) => new(encoder, Pooling.Mean, "word", "nfc", "document", "label", 0);
        string whole = dir.Combine("whole.st"), parts = dir.Combine("parts.st");

        ClassifierTrainer.Train(train, valid, options, Config, settings, whole, NullProgress.Instance, TextWriter.Null);
        using (var source = new CancellationTokenSource())
        {
            var (_, stopped) = ClassifierTrainer.Train(train, valid, options, Config, settings, parts, new CancelAfter(2 * train.Count, source),
                TextWriter.Null, cancel: source.Token);
            Assert.True(stopped.Interrupted);
            Assert.Equal(2, stopped.Epochs);
        }
        var log = new StringWriter();
        ClassifierTrainer.Train(train, valid, options, Config, settings, parts, NullProgress.Instance, log, ClassifierTrainer.CheckpointPath(parts));
        // the next rate follows the steps taken: half the run is over after epoch 2, all of it after epoch 4
        Assert.Contains("resuming after epoch 2 (", log.ToString());
        Assert.Contains("lr 0.01,", log.ToString());
        Assert.Contains("lr now 0\n", log.ToString().ReplaceLineEndings("\n"));

        // with dropout off, the resumed run ends with the uninterrupted run's weights, bit for bit
        var a = ClassifierModel.Load(whole + ".ckpt").Network.Parameters;
        var b = ClassifierModel.Load(parts + ".ckpt").Network.Parameters;
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++) Assert.Equal(a[i].Value.Data, b[i].Value.Data);
    }
}
