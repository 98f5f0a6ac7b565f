using System.Numerics;
using Perplex.Encoders;
using Perplex.Layers;
using Perplex.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Classification;

/// <summary>
/// Classifies a whole sequence: <see cref="SequenceEncoder{T}"/> → <see cref="Classification.Pooling"/> (last, max or
/// mean) → dropout → linear layer (<c>output.weight</c> [classes][D·H], <c>output.bias</c>) → softmax cross-entropy.
/// </summary>
/// <typeparam name="T">float for training, double for exact gradient checks.</typeparam>
public sealed class SentenceClassifier<T> : EncoderWithOutput<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SoftmaxCrossEntropy<T> _loss = new();
    private readonly PoolingLayer<T> _pooling;
    private int[] _targets = [];
    private T[] _pooled = [], _dropped = [], _logits = [], _dDropped = [], _dPooled = [], _dHidden = [];
    private int _batch;

    /// <summary>Creates a zero-initialised classifier over <paramref name="classCount"/> classes (call <see cref="EncoderWithOutput{T}.Initialize"/>).</summary>
    public SentenceClassifier(SequenceEncoderConfig encoder, int classCount, Pooling pooling, double dropout = 0, SeededRandom? random = null)
        : base(encoder, classCount, dropout, random)
        => _pooling = new PoolingLayer<T>(pooling, encoder.Bidirectional ? 2 : 1, encoder.HiddenSize);

    /// <summary>How hidden states are pooled.</summary>
    public Pooling Pooling => _pooling.Method;

    /// <summary>Number of classes.</summary>
    public int ClassCount => Output.OutputSize;

    /// <summary>Class scores [B][classes] of a batch of equal-length sequences, valid until the next call.</summary>
    public ReadOnlySpan<T> Logits(IReadOnlyList<EncodedSequence> batch)
    {
        var hidden = Encoder.Forward(batch);
        _batch = Encoder.Batch;
        int w = Encoder.OutputSize;
        var pooled = Workspace.Ensure(ref _pooled, _batch * w);
        _pooling.Forward(hidden, Encoder.Steps, _batch, pooled);
        var dropped = Workspace.Ensure(ref _dropped, _batch * w);
        OutputDropout.Forward(pooled, dropped, Training);
        var logits = Workspace.Ensure(ref _logits, _batch * ClassCount);
        Output.Forward(dropped, _batch, logits);
        return logits;
    }

    /// <summary>Mean cross-entropy against <paramref name="labels"/> (one class id per sequence); call <see cref="Backward"/> next to train.</summary>
    public T Loss(IReadOnlyList<EncodedSequence> batch, ReadOnlySpan<int> labels)
    {
        var logits = Logits(batch);
        var targets = Workspace.Ensure(ref _targets, _batch);
        labels.CopyTo(targets);
        return _loss.Forward(logits, targets, ClassCount);
    }

    /// <summary>Accumulates the gradients of the last <see cref="Loss"/>.</summary>
    public void Backward()
    {
        int w = Encoder.OutputSize;
        var logits = _logits.AsSpan(0, _batch * ClassCount);
        _loss.Backward(logits, _targets.AsSpan(0, _batch), ClassCount, logits);
        var dDropped = Workspace.Ensure(ref _dDropped, _batch * w);
        Output.Backward(_dropped.AsSpan(0, _batch * w), logits, _batch, dDropped);
        var dPooled = Workspace.Ensure(ref _dPooled, _batch * w);
        OutputDropout.Backward(dDropped, dPooled);
        var dHidden = Workspace.Ensure(ref _dHidden, Encoder.Steps * _batch * w);
        _pooling.Backward(dPooled, dHidden);
        Encoder.Backward(dHidden);
    }

    /// <summary>Class probabilities [B][classes] (softmax of the logits).</summary>
    public T[] Probabilities(IReadOnlyList<EncodedSequence> batch)
    {
        var logits = Logits(batch);
        var result = new T[logits.Length];
        for (int b = 0; b < _batch; b++)
            TP.SoftMax(logits.Slice(b * ClassCount, ClassCount), result.AsSpan(b * ClassCount, ClassCount));
        return result;
    }
}
