using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Tensors;

public static partial class Kernels
{
    /// <summary>
    /// One row of the fused softmax + cross-entropy: x = logits (+ <paramref name="bias"/>), loss = log Σ e^(x − max) + max − x[target],
    /// and unless <paramref name="dlogits"/> is empty, dlogits = (softmax(x) − onehot(target))·<paramref name="gradScale"/>, each
    /// element then added to <paramref name="columnSums"/> (the bias gradient) unless that is empty. <paramref name="dlogits"/> may
    /// alias <paramref name="logits"/>. With AVX-512 and float the row is read three times (bias and max; exponentials and their
    /// sum; gradient and column sums) instead of seven; the result is the same whether the bias is added here or beforehand,
    /// and whether the column sums are taken here or afterwards, row by row (<see cref="ColumnSums{T}"/>).
    /// </summary>
    internal static T SoftmaxCrossEntropyRow<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> bias, int target, Span<T> dlogits, T gradScale, Span<T> columnSums)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && VectorExp.IsSupported)
        {
            float loss = SoftmaxRowAvx512(Cast(logits), Cast(bias), target, Cast(dlogits), Unsafe.As<T, float>(ref gradScale), Cast(columnSums));
            return Unsafe.As<float, T>(ref loss);
        }
        return SoftmaxRowPortable(logits, bias, target, dlogits, gradScale, columnSums);
    }

    private static ReadOnlySpan<float> Cast<T>(ReadOnlySpan<T> x) where T : unmanaged => MemoryMarshal.Cast<T, float>(x);

    private static Span<float> Cast<T>(Span<T> x) where T : unmanaged => MemoryMarshal.Cast<T, float>(x);

    /// <summary>The same with TensorPrimitives, pass by pass: double, and machines without AVX-512.</summary>
    private static T SoftmaxRowPortable<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> bias, int target, Span<T> dlogits, T gradScale, Span<T> columnSums)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var e = dlogits.IsEmpty ? ScratchRow<T>.Get(logits.Length)[..logits.Length] : dlogits;
        ReadOnlySpan<T> x = logits;
        if (!bias.IsEmpty)
        {
            TP.Add(logits, bias, e);
            x = e;
        }
        T targetLogit = x[target]; // read before e may overwrite an aliased row
        T sum = ShiftedExp(x, e, out T max);
        if (!dlogits.IsEmpty)
        {
            // (softmax − onehot)·scale, with the division and the scaling folded into one pass
            TP.Multiply(e, gradScale / sum, e);
            e[target] -= gradScale;
            if (!columnSums.IsEmpty) TP.Add(columnSums, e, columnSums);
        }
        return T.Log(sum) + max - targetLogit;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float SoftmaxRowAvx512(ReadOnlySpan<float> logits, ReadOnlySpan<float> bias, int target, Span<float> dlogits, float gradScale,
        Span<float> columnSums)
    {
        const int W = 16;
        int n = logits.Length, whole = n - n % W;
        bool withBias = !bias.IsEmpty, training = !dlogits.IsEmpty;
        ref float l = ref MemoryMarshal.GetReference(logits);
        ref float b = ref MemoryMarshal.GetReference(bias);
        ref float d = ref MemoryMarshal.GetReference(dlogits);
        float targetLogit = withBias ? logits[target] + bias[target] : logits[target];

        // pass 1: x = logits + bias (kept in dlogits while training), and its maximum
        var vmax = Vector512.Create(float.NegativeInfinity);
        for (int j = 0; j < whole; j += W)
        {
            var x = Vector512.LoadUnsafe(ref l, (nuint)j);
            if (withBias) x += Vector512.LoadUnsafe(ref b, (nuint)j);
            if (training && withBias) x.StoreUnsafe(ref d, (nuint)j);
            vmax = Vector512.Max(vmax, x);
        }
        float max = MaxAcross(vmax);
        for (int j = whole; j < n; j++)
        {
            float x = withBias ? logits[j] + bias[j] : logits[j];
            if (training && withBias) dlogits[j] = x;
            max = float.IsNaN(x) || x > max ? x : max;
        }
        // pass 2: e = exp(x − max) (kept in dlogits while training), and Σ e
        ref float source = ref training && withBias ? ref d : ref l;
        var vsum = Vector512<float>.Zero;
        var vmaxAll = Vector512.Create(max);
        for (int j = 0; j < whole; j += W)
        {
            var x = Vector512.LoadUnsafe(ref source, (nuint)j);
            if (withBias && !training) x += Vector512.LoadUnsafe(ref b, (nuint)j);
            var e = VectorExp.Exp(x - vmaxAll);
            if (training) e.StoreUnsafe(ref d, (nuint)j);
            vsum += e;
        }
        float sum = Vector512.Sum(vsum);
        if (whole < n)
        {
            // the tail through one padded vector, so it gets the same exponential as the rest
            Span<float> tail = stackalloc float[W];
            tail.Fill(float.NegativeInfinity);
            for (int j = whole; j < n; j++) tail[j - whole] = Unsafe.Add(ref source, j) + (withBias && !training ? bias[j] : 0f);
            var e = VectorExp.Exp(Vector512.Create((ReadOnlySpan<float>)tail) - vmaxAll);
            e.CopyTo(tail);
            for (int j = whole; j < n; j++)
            {
                if (training) dlogits[j] = tail[j - whole];
                sum += tail[j - whole];
            }
        }
        float loss = MathF.Log(sum) + max - targetLogit;
        if (!training) return loss;

        // pass 3: dlogits = e·(scale / Σ e) − scale at the target, and the column sums
        float factor = gradScale / sum;
        bool sums = !columnSums.IsEmpty;
        ref float cs = ref MemoryMarshal.GetReference(columnSums);
        var vfactor = Vector512.Create(factor);
        for (int j = 0; j < whole; j += W)
        {
            var g = Vector512.LoadUnsafe(ref d, (nuint)j) * vfactor;
            if ((uint)(target - j) < W) g = g.WithElement(target - j, g.GetElement(target - j) - gradScale);
            g.StoreUnsafe(ref d, (nuint)j);
            if (sums) (Vector512.LoadUnsafe(ref cs, (nuint)j) + g).StoreUnsafe(ref cs, (nuint)j);
        }
        for (int j = whole; j < n; j++)
        {
            float g = dlogits[j] * factor;
            if (j == target) g -= gradScale;
            dlogits[j] = g;
            if (sums) columnSums[j] += g;
        }
        return loss;
    }

    /// <summary>The largest of 16 lanes; NaN if any lane is NaN.</summary>
    private static float MaxAcross(Vector512<float> v)
    {
        float max = float.NegativeInfinity;
        for (int i = 0; i < Vector512<float>.Count; i++)
        {
            float x = v.GetElement(i);
            max = float.IsNaN(x) || x > max ? x : max;
        }
        return max;
    }
}
