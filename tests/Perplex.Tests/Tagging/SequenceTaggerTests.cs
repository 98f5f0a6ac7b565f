using Perplex.Encoders;
using Perplex.Layers;
using Perplex.Tagging;
using Perplex.Tests.Encoders;
using Xunit;

namespace Perplex.Tests.Tagging;

public class SequenceTaggerTests
{
    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        var tagger = new SequenceTagger<double>(SequenceEncoderTests.Config(RecurrentCell.Gru), 4);
        tagger.Initialize(new SeededRandom(9));
        new SeededRandom(19).FillUniform<double>(tagger.Output.Weight.Value.Data, 1.5);
        var batch = SequenceEncoderTests.Batch();
        int[][] tags = [[0, 3, 1], [2, 2, 0]];
        GradientCheck.Run(tagger.Parameters, () =>
        {
            tagger.Loss(batch, tags);
            tagger.Backward();
        }, () => tagger.Loss(batch, tags));
    }

    [Fact]
    public void LearnsTagsThatDependOnBothNeighbours()
    {
        // Words 3..10. The tag of a position is 1 when the previous word is even, plus 2 when the next word is
        // even: only a bidirectional model can get it right, and it must use context, not the word itself.
        var random = new SeededRandom(4);
        var inputs = new List<EncodedSequence>();
        var tags = new List<int[]>();
        for (int n = 0; n < 300; n++)
        {
            int length = 3 + random.NextInt(5);
            var ids = Enumerable.Range(0, length).Select(_ => 3 + random.NextInt(8)).ToArray();
            inputs.Add(new EncodedSequence(ids));
            tags.Add(Enumerable.Range(0, length).Select(t =>
                (t > 0 && ids[t - 1] % 2 == 0 ? 1 : 0) + (t < length - 1 && ids[t + 1] % 2 == 0 ? 2 : 0)).ToArray());
        }
        var model = new SequenceTagger<float>(new SequenceEncoderConfig(RecurrentCell.Lstm, 11, 8, 12), 4, random: new SeededRandom(1));
        model.Initialize(new SeededRandom(2));
        var optimizer = new Perplex.Training.Adam<float>(model.Parameters, 0.01);
        for (int epoch = 0; epoch < 15; epoch++)
            foreach (var batch in LengthBatches.Create(inputs.Select(i => i.Length).ToList(), 16, random))
            {
                optimizer.ZeroGrad();
                model.Loss(batch.Select(i => inputs[i]).ToList(), batch.Select(i => tags[i]).ToList());
                model.Backward();
                optimizer.Step();
            }
        int correct = 0, total = 0;
        foreach (var batch in LengthBatches.Create(inputs.Select(i => i.Length).ToList(), 64))
        {
            var predicted = model.Predict(batch.Select(i => inputs[i]).ToList());
            for (int k = 0; k < batch.Length; k++)
                for (int t = 0; t < predicted[k].Length; t++, total++)
                    if (predicted[k][t] == tags[batch[k]][t]) correct++;
        }
        Assert.True(correct >= 0.97 * total, $"{correct}/{total} correct");
    }
}
