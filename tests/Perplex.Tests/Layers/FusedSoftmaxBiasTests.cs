using Perplex.Layers;
using Perplex.Tensors;
using Perplex.Tests.Tensors;
using Xunit;

namespace Perplex.Tests.Layers;

/// <summary>The softmax that adds the decoder bias and sums its gradient on the fly gives exactly the numbers of the separate passes.</summary>
public class FusedSoftmaxBiasTests
{
    [Theory]
    [InlineData(37, 300)]     // small: one part
    [InlineData(53, 2000)]    // ≥ 2¹⁶ elements: rows split between threads when the machine has two or more
    public void FusedBiasAndBiasGradient_AreBitIdenticalToSeparatePasses(int rows, int cols)
    {
        var logits = TestArrays.Random<float>(rows * cols, 3, scale: 4);
        var bias = TestArrays.Random<float>(cols, 4);
        var rng = new Random(5);
        var targets = Enumerable.Range(0, rows).Select(r => r == 7 ? -1 : rng.Next(cols)).ToArray(); // one ignored row
        var startGrad = TestArrays.Random<float>(cols, 6); // the bias gradient accumulates onto what is there

        var separate = (float[])logits.Clone();
        var separateGrad = (float[])startGrad.Clone();
        RowParallel.AddRowVector<float>(separate, rows, cols, bias);
        double separateLoss = RowParallel.SoftmaxCrossEntropy<float>(separate, rows, cols, targets, separate, 1f / rows);
        RowParallel.AddColumnSums<float>(separate, rows, cols, separateGrad);

        var fused = (float[])logits.Clone();
        var fusedGrad = (float[])startGrad.Clone();
        double fusedLoss = RowParallel.SoftmaxCrossEntropy<float>(fused, rows, cols, targets, fused, 1f / rows, bias, fusedGrad);

        Assert.Equal(separateLoss, fusedLoss);
        Assert.Equal(separate, fused);
        Assert.Equal(separateGrad, fusedGrad);
        Assert.NotEqual(startGrad, fusedGrad);
    }
}

/// <summary>The fused softmax's bias gradient is summed per block on whichever thread runs the block, then in block order.</summary>
[Collection(GlobalThreadCount.Name)]
public class FusedSoftmaxThreadTests
{
    [Fact]
    public void FusedBiasGradient_IsBitIdenticalOnOneAndTwoThreads()
    {
        const int Rows = 61, Cols = 3000; // ≥ 2¹⁶ elements: split between two threads
        var logits = TestArrays.Random<float>(Rows * Cols, 7, scale: 4);
        var bias = TestArrays.Random<float>(Cols, 8);
        var targets = Enumerable.Range(0, Rows).Select(r => r * 37 % Cols).ToArray();
        (double Loss, float[] DLogits, float[] BiasGrad) Run(int threads)
        {
            int saved = Parallelism.MaxThreads;
            try
            {
                Parallelism.MaxThreads = threads;
                var d = (float[])logits.Clone();
                var g = new float[Cols];
                double loss = RowParallel.SoftmaxCrossEntropy<float>(d, Rows, Cols, targets, d, 1f / Rows, bias, g);
                return (loss, d, g);
            }
            finally
            {
                Parallelism.MaxThreads = saved;
            }
        }
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Loss, two.Loss);
        Assert.Equal(one.DLogits, two.DLogits);
        Assert.Equal(one.BiasGrad, two.BiasGrad);
        // and the bias gradient is the column sum of the logit gradients, up to the rounding of the summation order
        for (int j = 0; j < Cols; j += 499)
        {
            double sum = 0;
            for (int r = 0; r < Rows; r++) sum += one.DLogits[r * Cols + j];
            Assert.Equal(sum, one.BiasGrad[j], 1e-6);
        }
    }
}
