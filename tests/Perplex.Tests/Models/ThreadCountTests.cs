using Perplex.Models;
using Perplex.Tensors;
using Xunit;

namespace Perplex.Tests.Models;

/// <summary>Results do not depend on the number of threads: training is reproducible on any machine setting.</summary>
public class ThreadCountTests
{
    [Theory]
    [InlineData(ModelKind.Lstm)]
    [InlineData(ModelKind.Window)]
    public void TrainingStep_IsBitIdenticalForOneAndTwoThreads(ModelKind kind)
    {
        // big enough (rows × vocabulary ≥ 2¹⁶) that the decoder-side work is split between threads
        var cfg = new LanguageModelConfig(kind, 3000, 24, 24, Layers: 2, Dropout: 0.1, Window: 3);
        var rng = new Random(5);
        int steps = 10, batch = 4;
        var tokens = Enumerable.Range(0, steps * batch).Select(_ => rng.Next(3000)).ToArray();
        var targets = Enumerable.Range(0, steps * batch).Select(_ => rng.Next(3000)).ToArray();
        (float Loss, double LogProb, float[][] Grads) Run(int threads)
        {
            int saved = Parallelism.MaxThreads;
            try
            {
                Parallelism.MaxThreads = threads;
                var model = LanguageModels.Create<float>(cfg, seed: 4);
                float loss = model.ForwardBackward(tokens, targets, steps, batch);
                double logProb = model.LogProbability(tokens, targets, steps, batch);
                return (loss, logProb, model.Parameters.Select(p => (float[])p.Grad.Data.Clone()).ToArray());
            }
            finally
            {
                Parallelism.MaxThreads = saved;
            }
        }
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Loss, two.Loss);
        Assert.Equal(one.LogProb, two.LogProb);
        for (int i = 0; i < one.Grads.Length; i++) Assert.Equal(one.Grads[i], two.Grads[i]);
    }
}
