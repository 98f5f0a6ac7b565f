using System.Numerics;

namespace Perplex.Tensors;

/// <summary>A binary elementwise function with a scalar and a SIMD form that must agree bit for bit.</summary>
internal interface IBinaryElementwise<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Apply(T y, T dy);
    static abstract Vector<T> Apply(Vector<T> y, Vector<T> dy);
}

/// <summary>Runs an <see cref="IBinaryElementwise{T}"/> over spans: whole vectors first, then the scalar tail.</summary>
internal static class ElementwiseMap
{
    public static void Apply<T, TOp>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dst)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryElementwise<T>
    {
        if (y.Length != dy.Length || dst.Length != y.Length)
            throw new ArgumentException($"length mismatch: {y.Length}, {dy.Length}, {dst.Length}");
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            for (; i <= y.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var result = TOp.Apply(new Vector<T>(y[i..]), new Vector<T>(dy[i..]));
                result.CopyTo(dst[i..]);
            }
        }
        for (; i < y.Length; i++)
            dst[i] = TOp.Apply(y[i], dy[i]);
    }
}

/// <summary>dy ⊙ (1 − y²).</summary>
internal readonly struct TanhGradient<T> : IBinaryElementwise<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T y, T dy) => dy * (T.One - y * y);
    public static Vector<T> Apply(Vector<T> y, Vector<T> dy) => dy * (Vector<T>.One - y * y);
}

/// <summary>dy ⊙ y ⊙ (1 − y).</summary>
internal readonly struct SigmoidGradient<T> : IBinaryElementwise<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T y, T dy) => dy * (y * (T.One - y));
    public static Vector<T> Apply(Vector<T> y, Vector<T> dy) => dy * (y * (Vector<T>.One - y));
}

/// <summary>dy where y &gt; 0, else 0.</summary>
internal readonly struct ReluGradient<T> : IBinaryElementwise<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T y, T dy) => y > T.Zero ? dy : T.Zero;
    public static Vector<T> Apply(Vector<T> y, Vector<T> dy) => Vector.ConditionalSelect(Vector.GreaterThan(y, Vector<T>.Zero), dy, Vector<T>.Zero);
}
