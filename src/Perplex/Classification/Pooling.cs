using System.Numerics;

namespace Perplex.Classification;

/// <summary>How a sentence classifier turns the encoder's T hidden states into one vector.</summary>
public enum Pooling
{
    /// <summary>The final hidden state: for a bidirectional encoder, the forward direction's state after the last
    /// token next to the reverse direction's state after the first token (both have read the whole sentence).</summary>
    Last,

    /// <summary>Element-wise maximum over all positions.</summary>
    Max,

    /// <summary>Element-wise mean over all positions.</summary>
    Mean,
}

/// <summary>Parses and names <see cref="Pooling"/> values.</summary>
public static class Poolings
{
    /// <summary>The names accepted on the command line.</summary>
    public static readonly string[] Names = ["last", "max", "mean"];

    /// <summary>"last", "max" or "mean".</summary>
    public static Pooling Parse(string name) => name.ToLowerInvariant() switch
    {
        "last" => Pooling.Last,
        "max" => Pooling.Max,
        "mean" => Pooling.Mean,
        _ => throw new PerplexException($"unknown pooling '{name}' (expected last, max or mean)"),
    };
}

/// <summary>
/// Forward and backward of a <see cref="Pooling"/> over hidden states [T][B][D·H] (row t·B + b) into [B][D·H].
/// Max remembers which step won each element; its gradient goes there only (ties: the first step).
/// </summary>
internal sealed class PoolingLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private int[] _argmax = [];
    private int _steps, _batch;

    public PoolingLayer(Pooling method, int directions, int hiddenSize)
    {
        Method = method;
        Directions = directions;
        HiddenSize = hiddenSize;
    }

    public Pooling Method { get; }
    public int Directions { get; }
    public int HiddenSize { get; }
    public int Width => Directions * HiddenSize;

    public void Forward(ReadOnlySpan<T> hidden, int steps, int batch, Span<T> pooled)
    {
        _steps = steps;
        _batch = batch;
        int w = Width, h = HiddenSize;
        switch (Method)
        {
            case Pooling.Last:
                for (int b = 0; b < batch; b++)
                {
                    hidden.Slice(((steps - 1) * batch + b) * w, h).CopyTo(pooled.Slice(b * w, h));
                    if (Directions == 2) hidden.Slice(b * w + h, h).CopyTo(pooled.Slice(b * w + h, h));
                }
                break;
            case Pooling.Max:
                if (_argmax.Length < batch * w) _argmax = new int[batch * w];
                for (int b = 0; b < batch; b++)
                    for (int j = 0; j < w; j++)
                    {
                        T best = hidden[b * w + j];
                        int arg = 0;
                        for (int t = 1; t < steps; t++)
                        {
                            T v = hidden[(t * batch + b) * w + j];
                            if (v > best) (best, arg) = (v, t);
                        }
                        pooled[b * w + j] = best;
                        _argmax[b * w + j] = arg;
                    }
                break;
            default:
                T inv = T.One / T.CreateTruncating(steps);
                pooled[..(batch * w)].Clear();
                for (int t = 0; t < steps; t++)
                    System.Numerics.Tensors.TensorPrimitives.Add(pooled[..(batch * w)], hidden.Slice(t * batch * w, batch * w), pooled[..(batch * w)]);
                System.Numerics.Tensors.TensorPrimitives.Multiply(pooled[..(batch * w)], inv, pooled[..(batch * w)]);
                break;
        }
    }

    /// <summary>Writes d loss / d hidden [T][B][D·H] (overwritten) from d loss / d pooled [B][D·H].</summary>
    public void Backward(ReadOnlySpan<T> dPooled, Span<T> dHidden)
    {
        int steps = _steps, batch = _batch, w = Width, h = HiddenSize;
        dHidden[..(steps * batch * w)].Clear();
        switch (Method)
        {
            case Pooling.Last:
                for (int b = 0; b < batch; b++)
                {
                    dPooled.Slice(b * w, h).CopyTo(dHidden.Slice(((steps - 1) * batch + b) * w, h));
                    if (Directions == 2) dPooled.Slice(b * w + h, h).CopyTo(dHidden.Slice(b * w + h, h));
                }
                break;
            case Pooling.Max:
                for (int i = 0; i < batch * w; i++)
                {
                    int b = i / w, j = i % w;
                    dHidden[(_argmax[i] * batch + b) * w + j] = dPooled[i];
                }
                break;
            default:
                T inv = T.One / T.CreateTruncating(steps);
                for (int t = 0; t < steps; t++)
                    System.Numerics.Tensors.TensorPrimitives.Multiply(dPooled[..(batch * w)], inv, dHidden.Slice(t * batch * w, batch * w));
                break;
        }
    }
}
