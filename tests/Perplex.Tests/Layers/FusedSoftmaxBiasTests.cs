using Perplex.Layers;
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
