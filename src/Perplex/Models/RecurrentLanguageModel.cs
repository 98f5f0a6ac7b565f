using System.Numerics;
using Perplex.Layers;
using Perplex.Tensors;

namespace Perplex.Models;

/// <summary>
/// The recurrent LM of PyTorch's word_language_model: token → Embedding → dropout → stacked RNN/LSTM/GRU
/// (dropout between layers) → dropout → Linear decoder → softmax, optionally with the decoder weight tied to
/// the embedding matrix. h(t) = σ(W_hh h(t−1) + W_ih e(t) + b), ŷ(t) = softmax(U h(t) + b₂).
/// Parameter names: <c>embedding.weight</c>, <c>rnn.weight_ih_l0</c>, …, <c>decoder.weight</c> (untied only), <c>decoder.bias</c>.
/// </summary>
/// <typeparam name="T">float for training, double for exact checks.</typeparam>
public sealed class RecurrentLanguageModel<T> : NeuralLanguageModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Dropout<T> _inputDropout;
    private readonly RecurrentStack<T> _rnn;
    private readonly Dropout<T> _outputDropout;
    private T[] _embedded = [], _rnnInput = [], _rnnOutput = [], _decoderInput = [];
    private T[] _dDecoderInput = [], _dRnnInput = [];
    private T[] _hidden = [], _cell = [];
    private int _rows;

    /// <summary>
    /// Builds the model and initialises it as word_language_model does: embedding and decoder weight uniform in
    /// ±0.1, decoder bias 0, recurrent weights PyTorch's default ±1/√H; all draws from <paramref name="seed"/>.
    /// </summary>
    public RecurrentLanguageModel(LanguageModelConfig config, ulong seed = 1)
        : base(config, seed)
    {
        if (!config.IsRecurrent) throw new ArgumentException("not a recurrent model kind", nameof(config));
        _inputDropout = new Dropout<T>(config.Dropout, Random);
        _rnn = new RecurrentStack<T>(config.Cell, config.EmbeddingSize, config.HiddenSize, config.Layers, bidirectional: false, config.Dropout, Random, "rnn.");
        _outputDropout = new Dropout<T>(config.Dropout, Random);
        _rnn.InitializeDefault(Init);
        RegisterParameters(_rnn.Parameters);
    }

    /// <summary>The recurrent output of the last forward call [T][B][H] (before output dropout), for inspection.</summary>
    internal ReadOnlySpan<T> LastRecurrentOutput => _rnnOutput.AsSpan(0, _rows * Config.HiddenSize);

    private protected override void ForwardCore(ReadOnlySpan<int> tokens, int steps, int batch, bool training, Span<T> logits)
    {
        int n = steps * batch, e = Config.EmbeddingSize, h = Config.HiddenSize;
        _rows = n;
        var embedded = Workspace.Ensure(ref _embedded, n * e);
        var rnnInput = Workspace.Ensure(ref _rnnInput, n * e);
        var rnnOutput = Workspace.Ensure(ref _rnnOutput, n * h);
        var decoderInput = Workspace.Ensure(ref _decoderInput, n * h);

        long started = StepProfile.Start();
        Embedding.Forward(tokens, embedded);                       // e(t) = E[w(t)]
        StepProfile.Stop(started, "embedding forward");
        _inputDropout.Forward(embedded, rnnInput, training);
        _rnn.Training = training;
        int stateSize = _rnn.StateCount * batch * h;
        var hState = _hidden.AsSpan(0, stateSize);
        var cState = Config.Cell.HasCellState() ? _cell.AsSpan(0, stateSize) : default;
        // the carried state is read as h0 and overwritten with h_n; backward never reaches the previous chunk
        _rnn.Forward(rnnInput, steps, batch, hState, cState, rnnOutput, hState, cState);
        _outputDropout.Forward(rnnOutput, decoderInput, training);
        Decoder.Forward(decoderInput, n, logits, addBias: !DecoderBiasInLoss);                  // z = U h + b₂
    }

    private protected override void BackwardCore(ReadOnlySpan<int> tokens, ReadOnlySpan<T> dLogits)
    {
        int n = _rows, e = Config.EmbeddingSize, h = Config.HiddenSize;
        var dDecoderInput = Workspace.Ensure(ref _dDecoderInput, n * h);
        var dRnnInput = Workspace.Ensure(ref _dRnnInput, n * e);
        Decoder.Backward(_decoderInput.AsSpan(0, n * h), dLogits, n, dDecoderInput, biasGradient: !DecoderBiasInLoss);
        _outputDropout.Backward(dDecoderInput, dDecoderInput);
        _rnn.Backward(_rnnInput.AsSpan(0, n * e), dDecoderInput, default, default, dRnnInput, default, default);
        _inputDropout.Backward(dRnnInput, dRnnInput);
        long started = StepProfile.Start();
        Embedding.Backward(tokens, dRnnInput);                     // with tying, adds to the decoder's gradient
        StepProfile.Stop(started, "embedding backward");
    }

    internal override ReadOnlySpan<T> LastDecoderInput => _decoderInput.AsSpan(0, _rows * Config.HiddenSize);

    private protected override NeuralLanguageModel<T> CreateEmptyReplica() => new RecurrentLanguageModel<T>(Config, seed: 0);

    internal override void CopyStreams(NeuralLanguageModel<T> replica, int first, bool toReplica)
    {
        var other = (RecurrentLanguageModel<T>)replica;
        CopyStateRows(_hidden, other._hidden, first, other.Batch, toReplica);
        if (Config.Cell.HasCellState()) CopyStateRows(_cell, other._cell, first, other.Batch, toReplica);
    }

    /// <summary>For each of the L state blocks [B][H], rows first..first+count of this model's ↔ rows 0..count of the replica's.</summary>
    private void CopyStateRows(T[] mine, T[] theirs, int first, int count, bool toReplica)
    {
        int h = Config.HiddenSize, n = count * h;
        for (int s = 0; s < _rnn.StateCount; s++)
        {
            var here = mine.AsSpan((s * Batch + first) * h, n);
            var there = theirs.AsSpan(s * n, n);
            if (toReplica) here.CopyTo(there); else there.CopyTo(here);
        }
    }

    private protected override void ResetStateCore(int batch)
    {
        int stateSize = _rnn.StateCount * batch * Config.HiddenSize;
        Workspace.Ensure(ref _hidden, stateSize).Clear();
        if (Config.Cell.HasCellState()) Workspace.Ensure(ref _cell, stateSize).Clear();
    }

    /// <inheritdoc />
    public override ModelState<T> GetState()
    {
        int stateSize = _rnn.StateCount * Batch * Config.HiddenSize;
        return new ModelState<T>(Batch, _hidden.AsSpan(0, stateSize).ToArray(),
            Config.Cell.HasCellState() ? _cell.AsSpan(0, stateSize).ToArray() : [], []);
    }

    private protected override void SetStateCore(ModelState<T> state)
    {
        int stateSize = _rnn.StateCount * state.Batch * Config.HiddenSize;
        if (state.Hidden.Length != stateSize || state.Cell.Length != (Config.Cell.HasCellState() ? stateSize : 0))
            throw new ArgumentException($"state does not fit {LanguageModelConfig.KindName(Config.Kind)} with {Config.Layers}×{Config.HiddenSize} and batch {state.Batch}", nameof(state));
        state.Hidden.CopyTo(_hidden, 0);
        state.Cell.CopyTo(_cell, 0);
    }
}
