using System.Numerics;
using Perplex.Layers;
using Perplex.Tensors;

namespace Perplex.Encoders;

/// <summary>
/// A <see cref="SequenceEncoder{T}"/> trained as a language model on unlabeled text, before a task uses it (as
/// ELMo and Dai and Le's pretraining do): the forward direction's h_t predicts word t+1 and, when the encoder is
/// bidirectional, the backward direction's h_t predicts word t−1, each through its own linear softmax head
/// (<c>lm_forward.*</c>, <c>lm_backward.*</c>, [K + 1][H]). The heads predict the word's id when it is below
/// the constructor's outputWords K (the special tokens and the K − 3 most frequent words) and the single class
/// "another word" otherwise, which keeps the softmax small: 5,000 classes cost a sixth of a 30,000-word one.
/// The loss is the sum of the two directions' mean cross-entropies; the heads are thrown away afterwards.
/// </summary>
/// <typeparam name="T">float for training, double for exact gradient checks.</typeparam>
public sealed class EncoderLanguageModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SoftmaxCrossEntropy<T> _loss = new();
    private readonly int _classes;
    private T[] _xf = [], _xb = [], _lf = [], _lb = [], _dxf = [], _dxb = [], _dHidden = [];
    private int[] _tf = [], _tb = [];
    private int _steps, _batch;

    /// <summary>Heads over <paramref name="outputWords"/> word ids plus "another word", zero until <see cref="InitializeHeads"/>.</summary>
    public EncoderLanguageModel(SequenceEncoder<T> encoder, int outputWords)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outputWords, 1);
        var config = encoder.Config;
        // In a bidirectional stack, layer 2 reads both directions of layer 1: its forward state at t has seen word t+1.
        if (config.Bidirectional && config.Layers > 1)
            throw new PerplexException($"language-model pretraining needs a one-layer encoder when it is bidirectional (got --nlayers {config.Layers}): " +
                "the second layer's forward states would have seen the words they predict");
        Encoder = encoder;
        _classes = outputWords + 1;
        int h = config.HiddenSize;
        ForwardHead = new Linear<T>(h, _classes, "lm_forward.");
        BackwardHead = config.Bidirectional ? new Linear<T>(h, _classes, "lm_backward.") : null;
        Parameters = BackwardHead is null
            ? [.. encoder.Parameters, ForwardHead.Weight, ForwardHead.Bias]
            : [.. encoder.Parameters, ForwardHead.Weight, ForwardHead.Bias, BackwardHead.Weight, BackwardHead.Bias];
    }

    /// <summary>Word ids predicted one by one; every other id is the class "another word".</summary>
    public int OutputWords => _classes - 1;

    /// <summary>The encoder being trained.</summary>
    public SequenceEncoder<T> Encoder { get; }

    /// <summary>The head of the forward direction (predicts the next word).</summary>
    public Linear<T> ForwardHead { get; }

    /// <summary>The head of the backward direction (predicts the previous word), or null for a one-way encoder.</summary>
    public Linear<T>? BackwardHead { get; }

    /// <summary>The encoder's parameters, then the heads'.</summary>
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>PyTorch's default initialisation of the heads (the encoder keeps its weights).</summary>
    public void InitializeHeads(SeededRandom random)
    {
        ForwardHead.InitializeDefault(random);
        BackwardHead?.InitializeDefault(random);
    }

    /// <summary>The class a word id is predicted as.</summary>
    private int Class(int wordId) => Math.Min(wordId, _classes - 1);

    /// <summary>
    /// The loss of a batch of sequences of one length T ≥ 2 (T − 1 predictions per sequence and direction); call
    /// <see cref="BackwardPass"/> next to train.
    /// </summary>
    public T Loss(IReadOnlyList<EncodedSequence> batch)
    {
        var hidden = Encoder.Forward(batch);
        int steps = Encoder.Steps, count = Encoder.Batch;
        if (steps < 2) throw new ArgumentException("language-model pretraining needs sequences of at least two words", nameof(batch));
        (_steps, _batch) = (steps, count);
        int h = Encoder.Config.HiddenSize, w = Encoder.OutputSize, n = (steps - 1) * count;
        var xf = Workspace.Ensure(ref _xf, n * h);
        var tf = Workspace.Ensure(ref _tf, n);
        var xb = BackwardHead is null ? default : Workspace.Ensure(ref _xb, n * h);
        var tb = BackwardHead is null ? default : Workspace.Ensure(ref _tb, n);
        for (int t = 0; t + 1 < steps; t++)
            for (int b = 0; b < count; b++)
            {
                int r = t * count + b;
                hidden.Slice(r * w, h).CopyTo(xf.Slice(r * h, h));            // forward h_t → word t+1
                tf[r] = Class(batch[b].WordIds[t + 1]);
                if (BackwardHead is null) continue;
                hidden.Slice(((t + 1) * count + b) * w + h, h).CopyTo(xb.Slice(r * h, h)); // backward h_{t+1} → word t
                tb[r] = Class(batch[b].WordIds[t]);
            }
        var lf = Workspace.Ensure(ref _lf, n * _classes);
        ForwardHead.Forward(xf, n, lf);
        T loss = _loss.ForwardBackward(lf, tf, _classes, lf); // lf now holds d loss / d logits
        if (BackwardHead is not null)
        {
            var lb = Workspace.Ensure(ref _lb, n * _classes);
            BackwardHead.Forward(xb, n, lb);
            loss += _loss.ForwardBackward(lb, tb, _classes, lb);
        }
        return loss;
    }

    /// <summary>Accumulates the gradients of the last <see cref="Loss"/> into the heads and the encoder.</summary>
    public void BackwardPass()
    {
        int steps = _steps, count = _batch, h = Encoder.Config.HiddenSize, w = Encoder.OutputSize, n = (steps - 1) * count;
        var dxf = Workspace.Ensure(ref _dxf, n * h);
        ForwardHead.Backward(_xf.AsSpan(0, n * h), _lf.AsSpan(0, n * _classes), n, dxf);
        var dxb = BackwardHead is null ? default : Workspace.Ensure(ref _dxb, n * h);
        BackwardHead?.Backward(_xb.AsSpan(0, n * h), _lb.AsSpan(0, n * _classes), n, dxb);
        var dHidden = Workspace.Ensure(ref _dHidden, steps * count * w);
        dHidden.Clear(); // the last forward state and the first backward state predict nothing
        for (int t = 0; t + 1 < steps; t++)
            for (int b = 0; b < count; b++)
            {
                int r = t * count + b;
                dxf.Slice(r * h, h).CopyTo(dHidden.Slice(r * w, h));
                if (BackwardHead is not null) dxb.Slice(r * h, h).CopyTo(dHidden.Slice(((t + 1) * count + b) * w + h, h));
            }
        Encoder.Backward(dHidden);
    }
}
