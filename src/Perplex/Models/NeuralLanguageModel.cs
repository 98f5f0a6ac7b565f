using System.Numerics;
using Perplex.Layers;
using Perplex.Tensors;

namespace Perplex.Models;

/// <summary>
/// A neural language model over token ids, trained on chunks of B parallel streams laid out time-major
/// ([T][B], as word_language_model's batchify + get_batch). The state (recurrent h/c, or the window's last
/// tokens) is carried from each call to the next and cut from the graph, as <c>repackage_hidden</c> does:
/// gradients never flow into a previous chunk.
/// </summary>
/// <typeparam name="T">float for training, double for exact checks.</typeparam>
public abstract class NeuralLanguageModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] _logits = [];
    private int[] _tokens = [];
    private int _lastRows;

    private readonly List<Parameter<T>> _parameters = [];
    private readonly SoftmaxCrossEntropy<T> _loss = new();
    private StreamParallelStep<T>? _streamParallel;

    /// <summary>
    /// Sets up the parts every model shares, initialised as word_language_model does: the embedding
    /// (<c>embedding.weight</c>, uniform ±0.1) and the decoder H → V (<c>decoder.weight</c> uniform ±0.1 or the
    /// embedding matrix itself when tied, <c>decoder.bias</c> 0). The layers in between draw from <see cref="Init"/>.
    /// </summary>
    private protected NeuralLanguageModel(LanguageModelConfig config, ulong seed)
    {
        config.Validate();
        Config = config;
        Random = new SeededRandom(seed);
        Init = new SeededRandom(seed ^ 0x5EED_1A17_0000_0001UL);
        Embedding = new Embedding<T>(config.VocabSize, config.EmbeddingSize, "embedding.");
        Decoder = new Linear<T>(config.HiddenSize, config.VocabSize, "decoder.", config.Tied ? Embedding.Weight : null);
        Init.FillUniform<T>(Embedding.Weight.Value.Data, 0.1);
        if (!config.Tied) Init.FillUniform<T>(Decoder.Weight.Value.Data, 0.1);
        // untied, the table's gradient is zero outside the rows of the step's tokens: the sweeps over all gradients skip the
        // rest (a third of all parameters at V = 10,000, H = 650). Tied, the decoder's gradient fills every row.
        if (!config.Tied) Embedding.GradientRows = new Perplex.Encoders.TouchedRows(config.VocabSize);
    }

    /// <summary>Token → vector table [V][E].</summary>
    private protected Embedding<T> Embedding { get; }

    /// <summary>The output layer H → V, its weight possibly tied to <see cref="Embedding"/>.</summary>
    private protected Linear<T> Decoder { get; }

    /// <summary>
    /// True during a training forward/backward: the decoder then leaves its bias out of the logits and out of its
    /// backward, because the fused softmax adds the bias and accumulates its gradient.
    /// </summary>
    private protected bool DecoderBiasInLoss { get; private set; }

    /// <summary>The generator for initial weights of the model-specific layers.</summary>
    private protected SeededRandom Init { get; }

    /// <summary>Lists the parameters in state_dict order: embedding, <paramref name="middle"/>, decoder (weight only if untied).</summary>
    private protected void RegisterParameters(IEnumerable<Parameter<T>> middle)
    {
        _parameters.Add(Embedding.Weight);
        _parameters.AddRange(middle);
        if (!Decoder.WeightIsShared) _parameters.Add(Decoder.Weight);
        _parameters.Add(Decoder.Bias);
    }

    /// <summary>The architecture.</summary>
    public LanguageModelConfig Config { get; }

    /// <summary>Every trainable parameter once (a tied matrix appears once), in state_dict order.</summary>
    public IReadOnlyList<Parameter<T>> Parameters => _parameters;

    /// <summary>The generator of dropout masks; its <see cref="SeededRandom.State"/> belongs in a checkpoint.</summary>
    public SeededRandom Random { get; }

    /// <summary>Dropout is applied in <see cref="ForwardBackward"/> only while this is true (PyTorch's train()/eval()).</summary>
    public bool Training { get; set; } = true;

    /// <summary>The number of streams the current state is for (0 before the first call).</summary>
    public int Batch { get; private set; }

    /// <summary>V.</summary>
    public int VocabSize => Config.VocabSize;

    /// <summary>Sets every parameter's gradient to zero.</summary>
    public void ZeroGrad() => Perplex.Training.ParameterSweep<T>.ZeroGradients(_parameters); // blocks shared among the engine's threads

    /// <summary>
    /// One training step's forward and backward on a chunk: <paramref name="tokens"/> and <paramref name="targets"/>
    /// are [steps][batch] (targets[t][b] is the token after tokens[t][b]). Returns the mean cross-entropy (natural
    /// log) and ADDS its gradient to every parameter's Grad. The state advances; a new batch size resets it.
    /// </summary>
    /// <remarks>
    /// With <see cref="Parallelism.MaxThreads"/> above 1 and a large enough step, the streams are split between threads
    /// (data parallelism): each thread runs forward and backward for its streams against the shared weights, and the
    /// gradients are added in a fixed order. The result is then deterministic for a given thread count but differs from
    /// the one-thread result in the last bits (the sums over tokens are grouped differently). A recurrent model whose
    /// W_hh is large (see <see cref="StreamParallelStep{T}.WholeStepRecurrentBytes"/>) instead runs the step whole with
    /// every product and cell split between the threads, which gives the one-thread result bit for bit.
    /// </remarks>
    public T ForwardBackward(ReadOnlySpan<int> tokens, ReadOnlySpan<int> targets, int steps, int batch)
    {
        CheckTargets(tokens, targets);
        int rows = Math.Max(1, tokens.Length);
        int shards = StreamParallelStep<T>.ShardCount(Config, steps, batch);
        if (shards > 1)
        {
            CheckChunk(tokens, steps, batch);
            if (batch != Batch) ResetState(batch);
            _streamParallel ??= new StreamParallelStep<T>(this);
            return T.CreateTruncating(_streamParallel.ForwardBackward(tokens, targets, steps, batch, shards) / rows);
        }
        return T.CreateTruncating(ForwardBackwardSum(tokens, targets, steps, batch, rows) / rows);
    }

    /// <summary>
    /// Forward and backward on a chunk whose loss is one part of a mean over <paramref name="normalizer"/> tokens:
    /// returns the summed cross-entropy and adds the gradient of (sum / normalizer) to every parameter's Grad.
    /// </summary>
    internal double ForwardBackwardSum(ReadOnlySpan<int> tokens, ReadOnlySpan<int> targets, int steps, int batch, int normalizer)
    {
        // the decoder bias and its gradient are handled by the softmax, in the pass that overwrites the logits with d loss / d logits
        DecoderBiasInLoss = true;
        try
        {
            var logits = Forward(tokens, steps, batch, Training);
            long started = StepProfile.Start();
            double loss = SoftmaxCrossEntropy<T>.ForwardBackwardSum(logits, targets, VocabSize, logits, T.One / T.CreateTruncating(normalizer),
                Decoder.Bias.Value.Data, Decoder.Bias.Grad.Data);
            StepProfile.Stop(started, "softmax + cross-entropy (+ decoder bias)");
            BackwardCore(_tokens.AsSpan(0, tokens.Length), logits);
            return loss;
        }
        finally
        {
            DecoderBiasInLoss = false;
        }
    }

    /// <summary>A new model of the same architecture whose parameters are this model's (values shared; gradients shared when <paramref name="shareGradients"/>).</summary>
    internal NeuralLanguageModel<T> CreateReplica(bool shareGradients)
    {
        var replica = CreateEmptyReplica();
        for (int i = 0; i < _parameters.Count; i++) replica._parameters[i].ShareWith(_parameters[i], shareGradients);
        if (shareGradients) replica.Embedding.GradientRows = Embedding.GradientRows; // one gradient, one record of its rows
        return replica;
    }

    /// <summary>The input embedding, whose gradient a data-parallel step sums row by row.</summary>
    internal Embedding<T> EmbeddingLayer => Embedding;

    /// <summary>d loss / d logits of the last training step, [rows][V] (the softmax overwrote the logits with it).</summary>
    internal ReadOnlySpan<T> LastLogitGradient => _logits.AsSpan(0, _lastRows * VocabSize);

    /// <summary>The decoder's input in the last forward pass, [rows][H].</summary>
    internal abstract ReadOnlySpan<T> LastDecoderInput { get; }

    /// <summary>The decoder layer, whose packed weights a data-parallel step shares between its replicas.</summary>
    internal Linear<T> DecoderLayer => Decoder;

    /// <summary>A model of the same configuration (its own weights are replaced by shared ones afterwards).</summary>
    private protected abstract NeuralLanguageModel<T> CreateEmptyReplica();

    /// <summary>
    /// Copies the carried state of streams [<paramref name="first"/>, first + replica.Batch) into
    /// <paramref name="replica"/>'s state (<paramref name="toReplica"/>) or back from it.
    /// </summary>
    internal abstract void CopyStreams(NeuralLanguageModel<T> replica, int first, bool toReplica);

    /// <summary>
    /// Evaluation (no dropout, no gradients): Σ log p(targets) in natural log over the chunk, e.g. for
    /// perplexity = exp(−Σ / count). The state advances.
    /// </summary>
    public double LogProbability(ReadOnlySpan<int> tokens, ReadOnlySpan<int> targets, int steps, int batch)
    {
        CheckTargets(tokens, targets);
        return _loss.SumLogProbability(Forward(tokens, steps, batch, training: false), targets, VocabSize);
    }

    /// <summary>Evaluation forward that writes the logits [steps][batch][V] (no dropout); the state advances.</summary>
    public void Logits(ReadOnlySpan<int> tokens, int steps, int batch, Span<T> logits)
    {
        if (logits.Length != tokens.Length * VocabSize) throw new ArgumentException($"logits needs {tokens.Length * VocabSize} elements", nameof(logits));
        Forward(tokens, steps, batch, training: false).CopyTo(logits);
    }

    /// <summary>
    /// One generation step: feeds one token per stream and writes the logits of the next token [B][V]
    /// given everything fed so far; the state advances by one token.
    /// </summary>
    public void NextLogits(ReadOnlySpan<int> tokens, Span<T> logits) => Logits(tokens, 1, tokens.Length, logits);

    /// <summary>Starts <paramref name="batch"/> fresh streams (zero recurrent state, or a window full of <see cref="WindowLanguageModel{T}.PadToken"/>).</summary>
    public void ResetState(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        Batch = batch;
        ResetStateCore(batch);
    }

    /// <summary>A copy of the carried state.</summary>
    public abstract ModelState<T> GetState();

    /// <summary>Replaces the carried state with a copy of <paramref name="state"/> (a state of batch 0, taken before the first call, means "no state yet").</summary>
    public void SetState(ModelState<T> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Batch == 0)
        {
            Batch = 0;
            return;
        }
        ResetState(state.Batch);
        SetStateCore(state);
    }

    /// <summary>Runs the network on a chunk and returns its logits [steps·batch][V] (kept for backward).</summary>
    private Span<T> Forward(ReadOnlySpan<int> tokens, int steps, int batch, bool training)
    {
        CheckChunk(tokens, steps, batch);
        if (batch != Batch) ResetState(batch);
        _lastRows = tokens.Length;
        var ids = Workspace.Ensure(ref _tokens, tokens.Length);
        tokens.CopyTo(ids);
        var logits = Workspace.Ensure(ref _logits, tokens.Length * VocabSize);
        ForwardCore(ids, steps, batch, training, logits);
        return logits;
    }

    private static void CheckChunk(ReadOnlySpan<int> tokens, int steps, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        if (tokens.Length != steps * batch) throw new ArgumentException($"tokens has {tokens.Length} ids, expected {steps}×{batch}", nameof(tokens));
    }

    private static void CheckTargets(ReadOnlySpan<int> tokens, ReadOnlySpan<int> targets)
    {
        if (targets.Length != tokens.Length) throw new ArgumentException($"targets has {targets.Length} ids, tokens {tokens.Length}", nameof(targets));
    }

    /// <summary>Model-specific forward: writes logits [steps·batch][V], keeps what backward needs, advances the state.</summary>
    private protected abstract void ForwardCore(ReadOnlySpan<int> tokens, int steps, int batch, bool training, Span<T> logits);

    /// <summary>Model-specific backward from d loss / d logits, accumulating parameter gradients.</summary>
    private protected abstract void BackwardCore(ReadOnlySpan<int> tokens, ReadOnlySpan<T> dLogits);

    private protected abstract void ResetStateCore(int batch);

    private protected abstract void SetStateCore(ModelState<T> state);
}
