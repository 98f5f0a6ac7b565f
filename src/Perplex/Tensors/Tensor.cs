using System.Numerics;

namespace Perplex.Tensors;

/// <summary>
/// A contiguous, row-major tensor: a flat array plus a shape. Deliberately thin: layers index the flat
/// <see cref="Data"/> directly, as llm.c does, so the math in Forward/Backward stays visible.
/// </summary>
/// <typeparam name="T">float for training, double for exact checks against PyTorch.</typeparam>
public sealed class Tensor<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The elements in row-major order.</summary>
    public T[] Data { get; }

    /// <summary>The size of each dimension.</summary>
    public int[] Shape { get; }

    /// <summary>Total number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>Allocates a zero-filled tensor of the given shape.</summary>
    public Tensor(params int[] shape)
    {
        Shape = (int[])shape.Clone();
        Data = new T[ElementCount(shape)];
    }

    /// <summary>Wraps an existing array (no copy); its length must match the shape.</summary>
    public Tensor(T[] data, params int[] shape)
    {
        if (data.Length != ElementCount(shape))
            throw new ArgumentException($"data has {data.Length} elements but shape [{string.Join(", ", shape)}] needs {ElementCount(shape)}");
        Data = data;
        Shape = (int[])shape.Clone();
    }

    /// <summary>The data as a span.</summary>
    public Span<T> Span => Data;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Length;

    /// <summary>Size of dimension <paramref name="d"/>.</summary>
    public int Dim(int d) => Shape[d];

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Array.Clear(Data);

    /// <summary>A deep copy.</summary>
    public Tensor<T> Clone() => new((T[])Data.Clone(), Shape);

    /// <summary>Product of the dimensions.</summary>
    public static int ElementCount(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException("negative dimension");
            n *= d;
        }
        if (n > Array.MaxLength) throw new ArgumentException("tensor too large");
        return (int)n;
    }

    /// <inheritdoc />
    public override string ToString() => $"Tensor<{typeof(T).Name}>[{string.Join(", ", Shape)}]";
}
