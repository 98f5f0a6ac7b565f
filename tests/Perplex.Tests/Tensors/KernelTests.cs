using System.Numerics;
using Perplex.Tensors;
using Xunit;

namespace Perplex.Tests.Tensors;

/// <summary>Each vectorised kernel against its scalar definition in <see cref="KernelReference"/>, at every length 0..256.</summary>
public class KernelTests
{
    /// <summary>Transcendentals (exp, tanh) may differ from the scalar math library by a few ulp.</summary>
    private static double TranscendentalTolerance<T>() => typeof(T) == typeof(float) ? 2e-6 : 1e-14;

    [Fact] public void ExactElementwise_Float() => ExactElementwise<float>();
    [Fact] public void ExactElementwise_Double() => ExactElementwise<double>();

    private static void ExactElementwise<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var alpha = T.CreateChecked(-0.37);
        foreach (int n in TestArrays.KernelLengths())
        {
            var x = TestArrays.Random<T>(n, n);
            var y = TestArrays.Random<T>(n, n + 1000);
            var expected = new T[n];
            var actual = new T[n];

            KernelReference.Add<T>(x, y, expected); Kernels.Add<T>(x, y, actual);
            TestArrays.Equal<T>(expected, actual, $"Add n={n}");
            KernelReference.Multiply<T>(x, y, expected); Kernels.Multiply<T>(x, y, actual);
            TestArrays.Equal<T>(expected, actual, $"Multiply n={n}");
            KernelReference.Scale<T>(x, alpha, expected); Kernels.Scale<T>(x, alpha, actual);
            TestArrays.Equal<T>(expected, actual, $"Scale n={n}");
            KernelReference.Relu<T>(x, expected); Kernels.Relu<T>(x, actual);
            TestArrays.Equal<T>(expected, actual, $"Relu n={n}");

            y.CopyTo(expected); y.CopyTo(actual);
            KernelReference.Axpy<T>(alpha, x, expected); Kernels.Axpy<T>(alpha, x, actual);
            TestArrays.Equal<T>(expected, actual, $"Axpy n={n}");

            KernelReference.TanhBackward<T>(x, y, expected); Kernels.TanhBackward<T>(x, y, actual);
            TestArrays.Equal<T>(expected, actual, $"TanhBackward n={n}");
            KernelReference.SigmoidBackward<T>(x, y, expected); Kernels.SigmoidBackward<T>(x, y, actual);
            TestArrays.Equal<T>(expected, actual, $"SigmoidBackward n={n}");
            KernelReference.ReluBackward<T>(x, y, expected); Kernels.ReluBackward<T>(x, y, actual);
            TestArrays.Equal<T>(expected, actual, $"ReluBackward n={n}");
        }
    }

    [Fact] public void Activations_Float() => Activations<float>();
    [Fact] public void Activations_Double() => Activations<double>();

    private static void Activations<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        double tol = TranscendentalTolerance<T>();
        foreach (int n in TestArrays.KernelLengths())
        {
            var x = TestArrays.Random<T>(n, n, scale: 12);
            var expected = new T[n];
            var actual = new T[n];
            KernelReference.Tanh<T>(x, expected); Kernels.Tanh<T>(x, actual);
            TestArrays.Close<T>(expected, actual, tol, $"Tanh n={n}");
            KernelReference.Sigmoid<T>(x, expected); Kernels.Sigmoid<T>(x, actual);
            TestArrays.Close<T>(expected, actual, tol, $"Sigmoid n={n}");

            x.CopyTo(actual);
            Kernels.Tanh<T>(actual, actual);
            KernelReference.Tanh<T>(x, expected);
            TestArrays.Close<T>(expected, actual, tol, $"Tanh in place n={n}");
        }
    }

    [Fact] public void RowKernels_Float() => RowKernels<float>();
    [Fact] public void RowKernels_Double() => RowKernels<double>();

    private static void RowKernels<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        double tol = TranscendentalTolerance<T>();
        const int rows = 3;
        foreach (int cols in TestArrays.KernelLengths())
        {
            var x = TestArrays.Random<T>(rows * cols, cols, scale: 8);
            var bias = TestArrays.Random<T>(cols, cols + 7);

            var expected = (T[])x.Clone();
            var actual = (T[])x.Clone();
            KernelReference.AddRowVector<T>(expected, rows, cols, bias);
            Kernels.AddRowVector<T>(actual, rows, cols, bias);
            TestArrays.Equal<T>(expected, actual, $"AddRowVector cols={cols}");

            foreach (bool accumulate in new[] { false, true })
            {
                var sumExpected = (T[])bias.Clone();
                var sumActual = (T[])bias.Clone();
                KernelReference.ColumnSums<T>(x, rows, cols, sumExpected, accumulate);
                Kernels.ColumnSums<T>(x, rows, cols, sumActual, accumulate);
                TestArrays.Equal<T>(sumExpected, sumActual, $"ColumnSums cols={cols} accumulate={accumulate}");
            }

            KernelReference.Softmax<T>(x, rows, cols, expected); Kernels.Softmax<T>(x, rows, cols, actual);
            TestArrays.Close<T>(expected, actual, tol, $"Softmax cols={cols}");
            KernelReference.LogSoftmax<T>(x, rows, cols, expected); Kernels.LogSoftmax<T>(x, rows, cols, actual);
            TestArrays.Close<T>(expected, actual, tol, $"LogSoftmax cols={cols}");
        }
    }

    [Fact] public void SoftmaxCrossEntropy_Float() => SoftmaxCrossEntropy<float>();
    [Fact] public void SoftmaxCrossEntropy_Double() => SoftmaxCrossEntropy<double>();

    private static void SoftmaxCrossEntropy<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        double tol = TranscendentalTolerance<T>();
        const int rows = 4;
        var scale = T.CreateChecked(0.25);
        foreach (int cols in TestArrays.KernelLengths().Where(c => c > 0))
        {
            var logits = TestArrays.Random<T>(rows * cols, cols, scale: 30);
            int[] targets = [0, cols - 1, -1, cols / 2]; // row 2 is padding (ignored)
            var lossExpected = new T[rows];
            var gradExpected = new T[rows * cols];
            T totalExpected = KernelReference.SoftmaxCrossEntropy<T>(logits, rows, cols, targets, lossExpected, gradExpected, scale);

            var lossActual = new T[rows];
            var gradActual = new T[rows * cols];
            T totalActual = Kernels.SoftmaxCrossEntropy<T>(logits, rows, cols, targets, lossActual, gradActual, scale);
            TestArrays.Close<T>(lossExpected, lossActual, tol, $"loss cols={cols}");
            TestArrays.Close<T>(gradExpected, gradActual, tol, $"dlogits cols={cols}");
            TestArrays.Close<T>([totalExpected], [totalActual], tol, $"total cols={cols}");

            T evalOnly = Kernels.SoftmaxCrossEntropy<T>(logits, rows, cols, targets, [], [], scale);
            Assert.Equal(totalActual, evalOnly);

            var inPlace = (T[])logits.Clone();
            Kernels.SoftmaxCrossEntropy<T>(inPlace, rows, cols, targets, [], inPlace, scale);
            TestArrays.Equal<T>(gradActual, inPlace, $"dlogits in place cols={cols}");
        }
    }

    [Fact]
    public void SoftmaxCrossEntropy_RejectsTargetOutOfRange()
    {
        var logits = new float[6];
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Kernels.SoftmaxCrossEntropy<float>(logits, 2, 3, [0, 3], [], [], 1f));
    }

    [Fact]
    public void SoftmaxCrossEntropy_LargeLogitsStayFinite()
    {
        float[] logits = [1000f, 0f, -1000f];
        var grad = new float[3];
        float loss = Kernels.SoftmaxCrossEntropy<float>(logits, 1, 3, [1], [], grad, 1f);
        Assert.Equal(1000f, loss);
        Assert.Equal([1f, -1f, 0f], grad);
    }

    [Fact] public void Norms_Float() => Norms<float>(1e-5);
    [Fact] public void Norms_Double() => Norms<double>(1e-13);

    private static void Norms<T>(double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (int n in TestArrays.KernelLengths())
        {
            var x = TestArrays.Random<T>(n, n);
            TestArrays.Close<T>([KernelReference.SumOfSquares<T>(x)], [Kernels.SumOfSquares<T>(x)], tolerance, $"SumOfSquares n={n}");
        }

        var a = new Parameter<T>("a", 3, 70);
        var b = new Parameter<T>("b", 129);
        TestArrays.Random<T>(a.Grad.Length, 1, scale: 3).CopyTo(a.Grad.Data);
        TestArrays.Random<T>(b.Grad.Length, 2, scale: 3).CopyTo(b.Grad.Data);
        var all = a.Grad.Data.Concat(b.Grad.Data).ToArray();
        double norm = Math.Sqrt(double.CreateChecked(KernelReference.SumOfSquares<T>(all)));
        TestArrays.Close<T>([T.CreateChecked(norm)], [Kernels.GlobalL2Norm([a.Grad, b.Grad])], tolerance, "GlobalL2Norm");

        var before = all.Select(v => double.CreateChecked(v)).ToArray();
        T returned = Kernels.ClipGradientNorm([a, b], T.CreateChecked(0.5));
        TestArrays.Close<T>([T.CreateChecked(norm)], [returned], tolerance, "ClipGradientNorm's returned norm");
        double coefficient = 0.5 / (norm + 1e-6);
        var clipped = a.Grad.Data.Concat(b.Grad.Data).ToArray();
        TestArrays.Close(before.Select(v => T.CreateChecked(v * coefficient)).ToArray(), clipped, tolerance, "clipped gradient");

        var unchanged = (T[])clipped.Clone();
        Kernels.ClipGradientNorm([a, b], T.CreateChecked(10));
        TestArrays.Equal<T>(unchanged, a.Grad.Data.Concat(b.Grad.Data).ToArray(), "no clipping below the threshold");
    }
}
