using System.Numerics;
using Perplex.Encoders;
using Perplex.Layers;
using Perplex.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Classification;

/// <summary>
/// Classifies a whole sequence: <see cref="SequenceEncoder{T}"/> → <see cref="Classification.Pooling"/> (last, max,
/// mean or all three) → dropout → linear layer (<c>output.weight</c> [classes][D·H], or [classes][3·D·H] for concat;
/// <c>output.bias</c>) → softmax cross-entropy.
/// </summary>
/// <typeparam name="T">float for training, double for exact gradient checks.</typeparam>
public sealed class SentenceClassifier<T> : EncoderWithOutput<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SoftmaxCrossEntropy<T> _loss = new();
    private readonly PoolingLayer<T> _pooling;
    private int[] _targets = [];
    private T[] _soft = [];
    private bool _softTargets;
    private T[] _pooled = [], _dropped = [], _logits = [], _dDropped = [], _dPooled = [], _dHidden = [], _perturbation = [];
    private int _batch;

    /// <summary>Creates a zero-initialised classifier over <paramref name="classCount"/> classes (call <see cref="EncoderWithOutput{T}.Initialize"/>).</summary>
    public SentenceClassifier(SequenceEncoderConfig encoder, int classCount, Pooling pooling, double dropout = 0, SeededRandom? random = null)
        : base(encoder, classCount, dropout, random, Poolings.Width(pooling, (encoder.Bidirectional ? 2 : 1) * encoder.HiddenSize))
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
        return Head(hidden);
    }

    // hidden states → pooled → dropout → logits
    private Span<T> Head(ReadOnlySpan<T> hidden)
    {
        int w = _pooling.Width;
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
        _softTargets = false;
        return _loss.Forward(logits, targets, ClassCount);
    }

    /// <summary>
    /// Mean cross-entropy against target distributions q [B][classes] (rows summing to 1), −Σ_c q_c·log p_c: the loss of
    /// knowledge distillation, with a teacher's probabilities as targets. A one-hot q gives <see cref="Loss"/>'s value
    /// and gradient. Call <see cref="Backward"/> next to train.
    /// </summary>
    public T SoftLoss(IReadOnlyList<EncodedSequence> batch, ReadOnlySpan<T> targets)
    {
        var logits = Logits(batch);
        if (targets.Length != _batch * ClassCount)
            throw new ArgumentException($"{targets.Length} target probabilities for {_batch} sequences of {ClassCount} classes", nameof(targets));
        targets.CopyTo(Workspace.Ensure(ref _soft, targets.Length));
        _softTargets = true;
        return SoftCrossEntropy(logits);
    }

    // −Σ_c q_c·log softmax(z)_c = Σ_c q_c·(logsumexp(z) − z_c), averaged over the batch
    private T SoftCrossEntropy(ReadOnlySpan<T> logits)
    {
        T sum = T.Zero;
        for (int b = 0; b < _batch; b++)
        {
            var z = logits.Slice(b * ClassCount, ClassCount);
            var q = _soft.AsSpan(b * ClassCount, ClassCount);
            T max = TP.Max(z), exps = T.Zero;
            for (int c = 0; c < ClassCount; c++) exps += T.Exp(z[c] - max);
            T logSumExp = max + T.Log(exps);
            for (int c = 0; c < ClassCount; c++) sum += q[c] * (logSumExp - z[c]);
        }
        return sum / T.CreateChecked(_batch);
    }

    // d/dz of the mean soft cross-entropy, (softmax(z) − q) / B, written over the logits
    private void SoftCrossEntropyBackward(Span<T> logits)
    {
        T scale = T.One / T.CreateChecked(_batch);
        for (int b = 0; b < _batch; b++)
        {
            var z = logits.Slice(b * ClassCount, ClassCount);
            TP.SoftMax(z, z);
            TP.Subtract(z, _soft.AsSpan(b * ClassCount, ClassCount), z);
            TP.Multiply(z, scale, z);
        }
    }

    /// <summary>Accumulates the gradients of the last <see cref="Loss"/> or <see cref="SoftLoss"/>.</summary>
    public void Backward()
    {
        Encoder.BackwardToInput(HeadBackward());
        Encoder.BackwardInputs();
    }

    // d loss / d hidden states [T][B][D·H] of the last loss, accumulating the output layer's gradients on the way
    private ReadOnlySpan<T> HeadBackward()
    {
        int w = _pooling.Width;
        var logits = _logits.AsSpan(0, _batch * ClassCount);
        if (_softTargets) SoftCrossEntropyBackward(logits);
        else _loss.Backward(logits, _targets.AsSpan(0, _batch), ClassCount, logits);
        var dDropped = Workspace.Ensure(ref _dDropped, _batch * w);
        Output.Backward(_dropped.AsSpan(0, _batch * w), logits, _batch, dDropped);
        var dPooled = Workspace.Ensure(ref _dPooled, _batch * w);
        OutputDropout.Backward(dDropped, dPooled);
        var dHidden = Workspace.Ensure(ref _dHidden, Encoder.Steps * _batch * Encoder.OutputSize);
        _pooling.Backward(dPooled, dHidden);
        return dHidden;
    }

    /// <summary>
    /// One step of adversarial training (Miyato, Dai and Goodfellow, 2017): accumulates the gradients of
    /// J = L(x) + L(x + r_adv), where x are the recurrent network's input rows (word embedding and character feature)
    /// and r_adv = ε · g / ‖g‖ with g = ∂L/∂x, normalised per sequence: the small change of the input that raises the
    /// loss most, to first order. r_adv is held constant (no gradient flows through it). Returns the clean loss L(x).
    /// <para>It penalises a classifier whose decision flips under a small change of its word vectors, which is how
    /// the model overfits a small labeled set. With ε = 0 the step counts the clean loss twice.</para>
    /// </summary>
    public T AdversarialLoss(IReadOnlyList<EncodedSequence> batch, ReadOnlySpan<int> labels, double epsilon)
    {
        T loss = Loss(batch, labels);
        AdversarialBackward(epsilon);
        return loss;
    }

    /// <summary><see cref="AdversarialLoss"/> with target distributions, as <see cref="SoftLoss"/>.</summary>
    public T AdversarialSoftLoss(IReadOnlyList<EncodedSequence> batch, ReadOnlySpan<T> targets, double epsilon)
    {
        T loss = SoftLoss(batch, targets);
        AdversarialBackward(epsilon);
        return loss;
    }

    // backward of the clean loss just computed, then the run on x + r_adv and its backward, then the embeddings once
    private void AdversarialBackward(double epsilon)
    {
        var g = Encoder.BackwardToInput(HeadBackward());
        var r = Workspace.Ensure(ref _perturbation, g.Length);
        AdversarialPerturbation(g, Encoder.Steps, Encoder.Batch, epsilon, r);
        PerturbedLoss(r);
        Encoder.BackwardToInput(HeadBackward());
        Encoder.BackwardInputs();
    }

    /// <summary>The r_adv of the last <see cref="AdversarialLoss"/> [T][B][I].</summary>
    internal ReadOnlySpan<T> LastPerturbation => _perturbation.AsSpan(0, Encoder.Steps * Encoder.Batch * Encoder.Config.InputSize);

    /// <summary>The loss of the last <see cref="Loss"/> or <see cref="SoftLoss"/> batch, targets included, with <paramref name="perturbation"/> added to its input rows.</summary>
    internal T PerturbedLoss(ReadOnlySpan<T> perturbation)
    {
        var logits = Head(Encoder.ForwardPerturbed(perturbation));
        return _softTargets ? SoftCrossEntropy(logits) : _loss.Forward(logits, _targets.AsSpan(0, _batch), ClassCount);
    }

    /// <summary>r = ε · g / ‖g‖ for each sequence b of a [T][B][I] gradient (rows t·B + b); zero where g is zero.</summary>
    internal static void AdversarialPerturbation(ReadOnlySpan<T> g, int steps, int batch, double epsilon, Span<T> r)
    {
        int width = g.Length / (steps * batch);
        for (int b = 0; b < batch; b++)
        {
            T squares = T.Zero;
            for (int t = 0; t < steps; t++)
                squares += TP.SumOfSquares(g.Slice((t * batch + b) * width, width));
            T scale = squares > T.Zero ? T.CreateChecked(epsilon) / T.Sqrt(squares) : T.Zero;
            for (int t = 0; t < steps; t++)
            {
                int at = (t * batch + b) * width;
                TP.Multiply(g.Slice(at, width), scale, r.Slice(at, width));
            }
        }
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
