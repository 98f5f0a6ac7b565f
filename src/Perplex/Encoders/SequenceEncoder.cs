using System.Numerics;
using Perplex.Layers;
using Perplex.Tensors;
using Perplex.Text;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Encoders;

/// <summary>
/// The encoder shared by the tagger, the classifier and later sequence-to-sequence models:
/// word embedding (+ the character BiRNN feature of each word) → dropout → multi-layer (bi)directional
/// RNN/LSTM/GRU, giving one hidden state per position [T][B][D·H] (forward half first, then reverse half).
/// <para>A batch holds B sequences of the SAME length T (see <see cref="LengthBatches"/>), so there is no padding
/// and the reverse direction of every sequence starts at its real last token.</para>
/// <para>Parameter names, as a PyTorch state_dict: <c>embedding.weight</c>, <c>char_ngram_embedding.weight</c> (with
/// <see cref="SequenceEncoderConfig.HasCharNGrams"/>), <c>char_embedding.weight</c>,
/// <c>char_rnn.weight_ih_l0</c> … <c>char_rnn.bias_hh_l0_reverse</c>, <c>rnn.weight_ih_l0</c> … .</para>
/// </summary>
/// <typeparam name="T">float for training, double for exact gradient checks.</typeparam>
public sealed class SequenceEncoder<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly CharacterFeatures<T>? _chars;
    private readonly CharNGramEmbedding<T>? _ngrams;
    private int[][] _words = [];
    private int[] _ids = [];
    private T[] _input = [], _dropped = [], _output = [], _dInput = [], _dEmbedded = [], _dChars = [], _charFeatures = [], _embedded = [];
    private T[] _perturbed = [], _dInputSum = [];
    private bool _inputGradientPending;

    /// <summary>Creates a zero-initialised encoder (call <see cref="Initialize"/>); <paramref name="random"/> draws dropout masks.</summary>
    public SequenceEncoder(SequenceEncoderConfig config, SeededRandom? random = null)
    {
        config.Validate();
        Config = config;
        Random = random ?? new SeededRandom(0);
        WordEmbedding = new Embedding<T>(config.WordVocabSize, config.EmbeddingSize, "embedding.");
        if (config.HasCharFeatures)
            _chars = new CharacterFeatures<T>(config.CharVocabSize, config.CharEmbeddingSize, config.CharHiddenSize, config.CharCell, Random);
        if (config.HasCharNGrams)
            _ngrams = new CharNGramEmbedding<T>(config.CharNGramOrder, config.CharNGramBuckets, config.EmbeddingSize);
        InputDropout = new Dropout<T>(config.Dropout, Random);
        Rnn = new RecurrentStack<T>(config.Cell, config.InputSize, config.HiddenSize, config.Layers, config.Bidirectional,
            config.Dropout, Random, "rnn.");
        Parameters = [WordEmbedding.Weight, .. _ngrams is null ? [] : new[] { _ngrams.Table.Weight }, .. _chars?.Parameters ?? [], .. Rnn.Parameters];
        WordRows = new TouchedRows(config.WordVocabSize);
        SparseTables = [(WordEmbedding.Weight, WordRows), .. _ngrams is null ? [] : new[] { (_ngrams.Table.Weight, _ngrams.Rows) },
            .. _chars is null ? [] : new[] { (_chars.Embedding.Weight, _chars.Rows) }];
    }

    /// <summary>Word-table rows that received a gradient since the optimizer last cleared them.</summary>
    internal TouchedRows WordRows { get; }

    /// <summary>Character-table rows that received a gradient since the optimizer last cleared them, or null.</summary>
    internal TouchedRows? CharRows => _chars?.Rows;

    /// <summary>The embedding tables with their used rows, for <see cref="RowSparseOptimizer"/>.</summary>
    internal IReadOnlyList<(Parameter<T> Table, TouchedRows Rows)> SparseTables { get; }

    /// <summary>The architecture.</summary>
    public SequenceEncoderConfig Config { get; }

    /// <summary>Source of dropout masks and word dropout.</summary>
    public SeededRandom Random { get; }

    /// <summary>The word embedding table.</summary>
    public Embedding<T> WordEmbedding { get; }

    /// <summary>Dropout applied to the recurrent network's input rows.</summary>
    public Dropout<T> InputDropout { get; }

    /// <summary>The word-level recurrent network.</summary>
    public RecurrentStack<T> Rnn { get; }

    /// <summary>The character embedding, or null without character features.</summary>
    public Embedding<T>? CharEmbedding => _chars?.Embedding;

    /// <summary>The hashed character n-gram table, or null without <see cref="SequenceEncoderConfig.HasCharNGrams"/>.</summary>
    public Embedding<T>? CharNGramEmbedding => _ngrams?.Table;

    /// <summary>The character BiRNN, or null without character features.</summary>
    public RecurrentStack<T>? CharRnn => _chars?.Rnn;

    /// <summary>Every parameter, in state_dict order.</summary>
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>Width of an output row, D·H.</summary>
    public int OutputSize => Rnn.OutputSize;

    /// <summary>T of the last Forward.</summary>
    public int Steps { get; private set; }

    /// <summary>B of the last Forward.</summary>
    public int Batch { get; private set; }

    /// <summary>Dropout and word dropout are applied only while this is true.</summary>
    public bool Training
    {
        get => Rnn.Training;
        set => Rnn.Training = value;
    }

    /// <summary>
    /// Initialises every weight: embeddings uniform in ±0.1 (as word_language_model), recurrent weights as PyTorch
    /// (uniform ±1/√H).
    /// </summary>
    public void Initialize(SeededRandom random)
    {
        random.FillUniform<T>(WordEmbedding.Weight.Value.Data, 0.1);
        if (_chars is not null)
        {
            random.FillUniform<T>(_chars.Embedding.Weight.Value.Data, 0.1);
            _chars.Rnn.InitializeDefault(random);
        }
        Rnn.InitializeDefault(random);
        // drawn last, so that adding n-grams leaves every other initial weight as it was
        if (_ngrams is not null) random.FillUniform<T>(_ngrams.Table.Weight.Value.Data, 0.1);
    }

    /// <summary>
    /// Encodes <paramref name="batch"/> (all of one length T) and returns the hidden states [T][B][D·H], valid until
    /// the next Forward. Position (t, b) is row t·B + b.
    /// </summary>
    public ReadOnlySpan<T> Forward(IReadOnlyList<EncodedSequence> batch)
    {
        if (batch.Count == 0) throw new ArgumentException("empty batch", nameof(batch));
        int steps = batch[0].Length, count = batch.Count, rows = steps * count;
        foreach (var s in batch)
            if (s.Length != steps) throw new ArgumentException($"a batch must hold sequences of one length ({s.Length} ≠ {steps})", nameof(batch));
        Steps = steps;
        Batch = count;
        _inputGradientPending = false;
        int e = Config.EmbeddingSize, width = Config.InputSize;

        var ids = Workspace.Ensure(ref _ids, rows);
        double unkRate = Training ? Config.WordDropout : 0;
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < count; b++)
                ids[t * count + b] = unkRate > 0 && Random.NextDouble() < unkRate ? Vocabulary.UnkId : batch[b].WordIds[t];

        // x[t][b] = [word embedding | character feature]
        var input = Workspace.Ensure(ref _input, rows * width);
        var embedded = Workspace.Ensure(ref _embedded, rows * e);
        WordEmbedding.Forward(ids, embedded);
        if (Config.ReadsChars)
        {
            if (_words.Length != rows) _words = new int[rows][];
            for (int t = 0; t < steps; t++)
                for (int b = 0; b < count; b++)
                    _words[t * count + b] = batch[b].CharIds?[t] ?? throw new ArgumentException("the encoder needs character ids", nameof(batch));
        }
        _ngrams?.Forward(_words, embedded);
        for (int r = 0; r < rows; r++) embedded.Slice(r * e, e).CopyTo(input.Slice(r * width, e));
        if (_chars is not null)
        {
            var words = _words;
            int f = _chars.FeatureSize;
            var features = Workspace.Ensure(ref _charFeatures, rows * f);
            _chars.Forward(words, features);
            for (int r = 0; r < rows; r++) features.Slice(r * f, f).CopyTo(input.Slice(r * width + e, f));
        }

        return RunRecurrent(input);
    }

    /// <summary>
    /// Runs the recurrent network again on the last <see cref="Forward"/>'s input rows plus <paramref name="perturbation"/>
    /// [T][B][I] (same word dropout, same character features, a new dropout mask), for adversarial training. The
    /// hidden states it returns replace those of Forward; <see cref="BackwardToInput"/> then backpropagates through this run.
    /// </summary>
    public ReadOnlySpan<T> ForwardPerturbed(ReadOnlySpan<T> perturbation)
    {
        int length = Steps * Batch * Config.InputSize;
        if (perturbation.Length != length) throw new ArgumentException($"the perturbation has {perturbation.Length} values, not {length}", nameof(perturbation));
        var perturbed = Workspace.Ensure(ref _perturbed, length);
        TP.Add(_input.AsSpan(0, length), perturbation, perturbed);
        return RunRecurrent(perturbed);
    }

    private ReadOnlySpan<T> RunRecurrent(ReadOnlySpan<T> input)
    {
        int rows = Steps * Batch;
        var dropped = Workspace.Ensure(ref _dropped, rows * Config.InputSize);
        InputDropout.Forward(input, dropped, Training);
        var output = Workspace.Ensure(ref _output, rows * OutputSize);
        Rnn.Forward(dropped, Steps, Batch, default, default, output, default, default);
        return output;
    }

    /// <summary>Backpropagates d loss / d hidden states [T][B][D·H] of the last Forward into every parameter gradient.</summary>
    public void Backward(ReadOnlySpan<T> dOutput)
    {
        BackwardToInput(dOutput);
        BackwardInputs();
    }

    /// <summary>
    /// The first half of <see cref="Backward"/>: backpropagates through the recurrent network and the input dropout of
    /// the last run (Forward or ForwardPerturbed) and returns d loss / d x [T][B][I], valid until the next call. The
    /// gradient is also added to a pending sum that <see cref="BackwardInputs"/> sends into the embeddings once, so
    /// two runs over the same input cost one pass through the embedding and character layers.
    /// </summary>
    public ReadOnlySpan<T> BackwardToInput(ReadOnlySpan<T> dOutput)
    {
        int length = Steps * Batch * Config.InputSize;
        var dInput = Workspace.Ensure(ref _dInput, length);
        Rnn.Backward(_dropped.AsSpan(0, length), dOutput, default, default, dInput, default, default);
        InputDropout.Backward(dInput, dInput);
        var sum = Workspace.Ensure(ref _dInputSum, length);
        if (_inputGradientPending) TP.Add(sum, dInput, sum);
        else dInput.CopyTo(sum);
        _inputGradientPending = true;
        return dInput;
    }

    /// <summary>The second half of <see cref="Backward"/>: sends the pending d loss / d x into the word embedding and the character network.</summary>
    public void BackwardInputs()
    {
        if (!_inputGradientPending) throw new InvalidOperationException("BackwardInputs needs a BackwardToInput first");
        _inputGradientPending = false;
        int rows = Steps * Batch, e = Config.EmbeddingSize, width = Config.InputSize;
        ReadOnlySpan<T> dInput = _dInputSum.AsSpan(0, rows * width);
        var dEmbedded = Workspace.Ensure(ref _dEmbedded, rows * e);
        for (int r = 0; r < rows; r++) dInput.Slice(r * width, e).CopyTo(dEmbedded.Slice(r * e, e));
        WordEmbedding.Backward(_ids.AsSpan(0, rows), dEmbedded);
        WordRows.Mark(_ids.AsSpan(0, rows));
        _ngrams?.Backward(dEmbedded);
        if (_chars is not null)
        {
            int f = _chars.FeatureSize;
            var dChars = Workspace.Ensure(ref _dChars, rows * f);
            for (int r = 0; r < rows; r++) dInput.Slice(r * width + e, f).CopyTo(dChars.Slice(r * f, f));
            _chars.Backward(dChars);
        }
    }
}
