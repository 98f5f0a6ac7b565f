using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

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

    /// <summary>
    /// <see cref="Last"/>, <see cref="Max"/> and <see cref="Mean"/> side by side, a vector three times as wide
    /// (the concat pooling of ULMFiT, Howard and Ruder 2018): the output layer weighs the three summaries itself.
    /// </summary>
    Concat,
}

/// <summary>Parses and names <see cref="Pooling"/> values.</summary>
public static class Poolings
{
    /// <summary>The names accepted on the command line.</summary>
    public static readonly string[] Names = ["last", "max", "mean", "concat"];

    /// <summary>"last", "max", "mean" or "concat".</summary>
    public static Pooling Parse(string name) => name.ToLowerInvariant() switch
    {
        "last" => Pooling.Last,
        "max" => Pooling.Max,
        "mean" => Pooling.Mean,
        "concat" => Pooling.Concat,
        _ => throw new PerplexException($"unknown pooling '{name}' (expected last, max, mean or concat)"),
    };

    /// <summary>Width of the pooled vector over hidden states of <paramref name="stateWidth"/> (D·H) values.</summary>
    public static int Width(Pooling pooling, int stateWidth) => pooling == Pooling.Concat ? 3 * stateWidth : stateWidth;
}

/// <summary>
/// Forward and backward of a <see cref="Pooling"/> over hidden states [T][B][D·H] (row t·B + b) into [B][Width].
/// Max remembers which step won each element; its gradient goes there only (ties: the first step). Concat writes
/// last, max and mean into consecutive thirds of each row, and its backward adds up the three gradients.
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

    /// <summary>D·H, the width of one hidden state.</summary>
    public int StateWidth => Directions * HiddenSize;

    /// <summary>The width of a pooled row.</summary>
    public int Width => Poolings.Width(Method, StateWidth);

    public void Forward(ReadOnlySpan<T> hidden, int steps, int batch, Span<T> pooled)
    {
        _steps = steps;
        _batch = batch;
        int stride = Width, w = StateWidth;
        switch (Method)
        {
            case Pooling.Last: LastForward(hidden, pooled, stride); break;
            case Pooling.Max: MaxForward(hidden, pooled, stride); break;
            case Pooling.Mean: MeanForward(hidden, pooled, stride); break;
            default:
                LastForward(hidden, pooled, stride);
                MaxForward(hidden, pooled[w..], stride);
                MeanForward(hidden, pooled[(2 * w)..], stride);
                break;
        }
    }

    /// <summary>Writes d loss / d hidden [T][B][D·H] (overwritten) from d loss / d pooled [B][Width].</summary>
    public void Backward(ReadOnlySpan<T> dPooled, Span<T> dHidden)
    {
        int stride = Width, w = StateWidth;
        dHidden[..(_steps * _batch * w)].Clear();
        switch (Method)
        {
            case Pooling.Last: LastBackward(dPooled, dHidden, stride); break;
            case Pooling.Max: MaxBackward(dPooled, dHidden, stride); break;
            case Pooling.Mean: MeanBackward(dPooled, dHidden, stride); break;
            default:
                LastBackward(dPooled, dHidden, stride);
                MaxBackward(dPooled[w..], dHidden, stride);
                MeanBackward(dPooled[(2 * w)..], dHidden, stride);
                break;
        }
    }

    // Each part reads or writes the D·H values of row b at b·stride of its (already offset) pooled span; the
    // backward parts add into dHidden, so Concat's three gradients sum where they meet.

    private void LastForward(ReadOnlySpan<T> hidden, Span<T> pooled, int stride)
    {
        int w = StateWidth, h = HiddenSize;
        for (int b = 0; b < _batch; b++)
        {
            hidden.Slice(((_steps - 1) * _batch + b) * w, h).CopyTo(pooled.Slice(b * stride, h));
            if (Directions == 2) hidden.Slice(b * w + h, h).CopyTo(pooled.Slice(b * stride + h, h));
        }
    }

    private void LastBackward(ReadOnlySpan<T> dPooled, Span<T> dHidden, int stride)
    {
        int w = StateWidth, h = HiddenSize;
        for (int b = 0; b < _batch; b++)
        {
            var forward = dHidden.Slice(((_steps - 1) * _batch + b) * w, h);
            TP.Add(forward, dPooled.Slice(b * stride, h), forward);
            if (Directions == 2)
            {
                var reverse = dHidden.Slice(b * w + h, h);
                TP.Add(reverse, dPooled.Slice(b * stride + h, h), reverse);
            }
        }
    }

    private void MaxForward(ReadOnlySpan<T> hidden, Span<T> pooled, int stride)
    {
        int w = StateWidth;
        if (_argmax.Length < _batch * w) _argmax = new int[_batch * w];
        for (int b = 0; b < _batch; b++)
            for (int j = 0; j < w; j++)
            {
                T best = hidden[b * w + j];
                int arg = 0;
                for (int t = 1; t < _steps; t++)
                {
                    T v = hidden[(t * _batch + b) * w + j];
                    if (v > best) (best, arg) = (v, t);
                }
                pooled[b * stride + j] = best;
                _argmax[b * w + j] = arg;
            }
    }

    private void MaxBackward(ReadOnlySpan<T> dPooled, Span<T> dHidden, int stride)
    {
        int w = StateWidth;
        for (int b = 0; b < _batch; b++)
            for (int j = 0; j < w; j++)
                dHidden[(_argmax[b * w + j] * _batch + b) * w + j] += dPooled[b * stride + j];
    }

    private void MeanForward(ReadOnlySpan<T> hidden, Span<T> pooled, int stride)
    {
        int w = StateWidth;
        T inv = T.One / T.CreateTruncating(_steps);
        for (int b = 0; b < _batch; b++)
        {
            var row = pooled.Slice(b * stride, w);
            row.Clear();
            for (int t = 0; t < _steps; t++) TP.Add(row, hidden.Slice((t * _batch + b) * w, w), row);
            TP.Multiply(row, inv, row);
        }
    }

    private void MeanBackward(ReadOnlySpan<T> dPooled, Span<T> dHidden, int stride)
    {
        int w = StateWidth;
        T inv = T.One / T.CreateTruncating(_steps);
        for (int b = 0; b < _batch; b++)
            for (int t = 0; t < _steps; t++)
            {
                var row = dHidden.Slice((t * _batch + b) * w, w);
                TP.MultiplyAdd(dPooled.Slice(b * stride, w), inv, row, row);
            }
    }
}
