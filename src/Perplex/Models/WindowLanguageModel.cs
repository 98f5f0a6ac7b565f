using System.Numerics;
using Perplex.Layers;
using Perplex.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Models;

/// <summary>
/// The fixed-window neural LM (Bengio et al. 2003, without direct connections): to predict the token after
/// position t it concatenates the embeddings of the last <c>Window</c> tokens up to and including t,
/// x = [e(w(t−W+1)); …; e(w(t))], then a = tanh(W₁ x + b₁), ŷ = softmax(U a + b₂).
/// Dropout (when configured) is applied to x and to a. Parameter names: <c>embedding.weight</c> [V][E],
/// <c>hidden.weight</c> [H][W·E], <c>hidden.bias</c>, <c>decoder.weight</c> [V][H] (untied only), <c>decoder.bias</c>.
/// Its carried state is each stream's last W − 1 tokens, so it trains on the same [T][B] chunks as the recurrent model.
/// </summary>
/// <typeparam name="T">float for training, double for exact checks.</typeparam>
public sealed class WindowLanguageModel<T> : NeuralLanguageModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Dropout<T> _inputDropout;
    private readonly Linear<T> _hidden;
    private readonly Dropout<T> _hiddenDropout;
    private int[] _contextIds = [];   // [N][W]: the window of every position
    private int[] _context = [];      // [B][W−1]: carried tokens, oldest first
    private int[] _nextContext = [];
    private T[] _embedded = [], _hiddenInput = [], _activation = [], _decoderInput = [];
    private T[] _dDecoderInput = [], _dHiddenInput = [];
    private int _rows;

    /// <summary>
    /// Builds the model: embedding uniform in ±0.1, hidden layer PyTorch's Linear default (±1/√(W·E)),
    /// decoder weight uniform in ±0.1 and bias 0 (as the recurrent model); all draws from <paramref name="seed"/>.
    /// </summary>
    public WindowLanguageModel(LanguageModelConfig config, ulong seed = 1)
        : base(config, seed)
    {
        if (config.Kind != ModelKind.Window) throw new ArgumentException("not a WINDOW model", nameof(config));
        _inputDropout = new Dropout<T>(config.Dropout, Random);
        _hidden = new Linear<T>(config.Window * config.EmbeddingSize, config.HiddenSize, "hidden.");
        _hiddenDropout = new Dropout<T>(config.Dropout, Random);
        _hidden.InitializeDefault(Init);
        RegisterParameters([_hidden.Weight, _hidden.Bias]);
    }

    /// <summary>The token id that fills the window of a fresh stream (default 0; set it to the id of &lt;eos&gt; or &lt;s&gt;).</summary>
    public int PadToken { get; set; }

    private int Carried => Config.Window - 1;

    /// <summary>The token at position <paramref name="pos"/> of stream b, where negative positions reach into the carried context.</summary>
    private int TokenAt(ReadOnlySpan<int> tokens, int batch, int b, int pos)
        => pos >= 0 ? tokens[pos * batch + b] : _context[b * Carried + Carried + pos];

    private protected override void ForwardCore(ReadOnlySpan<int> tokens, int steps, int batch, bool training, Span<T> logits)
    {
        int n = steps * batch, w = Config.Window, e = Config.EmbeddingSize, h = Config.HiddenSize;
        _rows = n;
        var ids = Workspace.Ensure(ref _contextIds, n * w);
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
                for (int k = 0; k < w; k++)
                    ids[(t * batch + b) * w + k] = TokenAt(tokens, batch, b, t - w + 1 + k);
        // carry the last W − 1 tokens of every stream into the next call
        var next = Workspace.Ensure(ref _nextContext, batch * Carried);
        for (int b = 0; b < batch; b++)
            for (int k = 0; k < Carried; k++)
                next[b * Carried + k] = TokenAt(tokens, batch, b, steps - Carried + k);
        next.CopyTo(_context);

        var embedded = Workspace.Ensure(ref _embedded, n * w * e);
        var hiddenInput = Workspace.Ensure(ref _hiddenInput, n * w * e);
        var activation = Workspace.Ensure(ref _activation, n * h);
        var decoderInput = Workspace.Ensure(ref _decoderInput, n * h);
        Embedding.Forward(ids, embedded);                  // x = [e(w(t−W+1)); …; e(w(t))], row n is W·E wide
        _inputDropout.Forward(embedded, hiddenInput, training);
        _hidden.Forward(hiddenInput, n, activation);        // W₁ x + b₁
        TP.Tanh(activation, activation);                    // a = tanh(·)
        _hiddenDropout.Forward(activation, decoderInput, training);
        Decoder.Forward(decoderInput, n, logits, addBias: !DecoderBiasInLoss);          // z = U a + b₂
    }

    private protected override void BackwardCore(ReadOnlySpan<int> tokens, ReadOnlySpan<T> dLogits)
    {
        int n = _rows, we = Config.Window * Config.EmbeddingSize, h = Config.HiddenSize;
        var dDecoderInput = Workspace.Ensure(ref _dDecoderInput, n * h);
        var dHiddenInput = Workspace.Ensure(ref _dHiddenInput, n * we);
        Decoder.Backward(_decoderInput.AsSpan(0, n * h), dLogits, n, dDecoderInput, biasGradient: !DecoderBiasInLoss);
        _hiddenDropout.Backward(dDecoderInput, dDecoderInput);
        // through tanh: d(pre) = da ⊙ (1 − a²)
        var a = _activation.AsSpan(0, n * h);
        for (int i = 0; i < a.Length; i++) dDecoderInput[i] *= T.One - a[i] * a[i];
        _hidden.Backward(_hiddenInput.AsSpan(0, n * we), dDecoderInput, n, dHiddenInput);
        _inputDropout.Backward(dHiddenInput, dHiddenInput);
        Embedding.Backward(_contextIds.AsSpan(0, n * Config.Window), dHiddenInput);
    }

    internal override ReadOnlySpan<T> LastDecoderInput => _decoderInput.AsSpan(0, _rows * Config.HiddenSize);

    private protected override NeuralLanguageModel<T> CreateEmptyReplica() => new WindowLanguageModel<T>(Config, seed: 0);

    internal override void CopyStreams(NeuralLanguageModel<T> replica, int first, bool toReplica)
    {
        var other = (WindowLanguageModel<T>)replica;
        other.PadToken = PadToken;
        var here = _context.AsSpan(first * Carried, other.Batch * Carried);
        var there = other._context.AsSpan(0, other.Batch * Carried);
        if (toReplica) here.CopyTo(there); else there.CopyTo(here);
    }

    private protected override void ResetStateCore(int batch)
        => Workspace.Ensure(ref _context, batch * Carried).Fill(PadToken);

    /// <inheritdoc />
    public override ModelState<T> GetState() => new(Batch, [], [], _context.AsSpan(0, Batch * Carried).ToArray());

    private protected override void SetStateCore(ModelState<T> state)
    {
        if (state.Context.Length != state.Batch * Carried)
            throw new ArgumentException($"state does not fit a window of {Config.Window} with batch {state.Batch}", nameof(state));
        state.Context.CopyTo(_context, 0);
    }
}
