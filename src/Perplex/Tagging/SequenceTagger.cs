using System.Numerics;
using Perplex.Encoders;
using Perplex.Layers;
using Perplex.Tensors;

namespace Perplex.Tagging;

/// <summary>
/// Tags every position of a sequence: <see cref="SequenceEncoder{T}"/> → dropout → per-position linear layer
/// (<c>output.weight</c> [tags][D·H], <c>output.bias</c>) → softmax cross-entropy averaged over all positions.
/// </summary>
/// <typeparam name="T">float for training, double for exact gradient checks.</typeparam>
public sealed class SequenceTagger<T> : EncoderWithOutput<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SoftmaxCrossEntropy<T> _loss = new();
    private int[] _targets = [];
    private T[] _dropped = [], _logits = [], _dDropped = [], _dHidden = [];
    private int _rows;

    /// <summary>Creates a zero-initialised tagger over <paramref name="tagCount"/> tags (call <see cref="EncoderWithOutput{T}.Initialize"/>).</summary>
    public SequenceTagger(SequenceEncoderConfig encoder, int tagCount, double dropout = 0, SeededRandom? random = null)
        : base(encoder, tagCount, dropout, random)
    {
    }

    /// <summary>Number of tags.</summary>
    public int TagCount => Output.OutputSize;

    /// <summary>Tag scores [T][B][tags] for a batch of equal-length sequences (row t·B + b), valid until the next call.</summary>
    public ReadOnlySpan<T> Logits(IReadOnlyList<EncodedSequence> batch)
    {
        var hidden = Encoder.Forward(batch);
        _rows = Encoder.Steps * Encoder.Batch;
        var dropped = Workspace.Ensure(ref _dropped, hidden.Length);
        OutputDropout.Forward(hidden, dropped, Training);
        var logits = Workspace.Ensure(ref _logits, _rows * TagCount);
        Output.Forward(dropped, _rows, logits);
        return logits;
    }

    /// <summary>Mean cross-entropy of the batch against <paramref name="tags"/> (one id array per sequence); call <see cref="Backward"/> next to train.</summary>
    public T Loss(IReadOnlyList<EncodedSequence> batch, IReadOnlyList<int[]> tags)
    {
        var logits = Logits(batch);
        int steps = Encoder.Steps, count = Encoder.Batch;
        var targets = Workspace.Ensure(ref _targets, _rows);
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < count; b++) targets[t * count + b] = tags[b][t];
        return _loss.Forward(logits, targets, TagCount);
    }

    /// <summary>Accumulates the gradients of the last <see cref="Loss"/>.</summary>
    public void Backward()
    {
        int width = Encoder.OutputSize;
        var logits = _logits.AsSpan(0, _rows * TagCount);
        _loss.Backward(logits, _targets.AsSpan(0, _rows), TagCount, logits); // in place: logits become d loss / d logits
        var dDropped = Workspace.Ensure(ref _dDropped, _rows * width);
        Output.Backward(_dropped.AsSpan(0, _rows * width), logits, _rows, dDropped);
        var dHidden = Workspace.Ensure(ref _dHidden, _rows * width);
        OutputDropout.Backward(dDropped, dHidden);
        Encoder.Backward(dHidden);
    }

    /// <summary>The most likely tag id of every position of every sequence (evaluation mode is the caller's choice).</summary>
    public int[][] Predict(IReadOnlyList<EncodedSequence> batch)
    {
        var logits = Logits(batch);
        int steps = Encoder.Steps, count = Encoder.Batch;
        var result = new int[count][];
        for (int b = 0; b < count; b++)
        {
            result[b] = new int[steps];
            for (int t = 0; t < steps; t++)
                result[b][t] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits.Slice((t * count + b) * TagCount, TagCount));
        }
        return result;
    }
}
