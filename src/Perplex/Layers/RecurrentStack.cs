using System.Numerics;
using Perplex.Tensors;

namespace Perplex.Layers;

/// <summary>
/// A multi-layer, optionally bidirectional recurrent network, the equivalent of PyTorch's <c>nn.RNN</c>,
/// <c>nn.LSTM</c> and <c>nn.GRU</c> with <c>batch_first=False</c>: input [T][B][I], states h0/c0 and
/// h_n/c_n [L·D][B][H] (index layer·D + direction), output [T][B][D·H] (forward half, then reverse half).
/// Parameters carry PyTorch's names and layouts (<c>weight_ih_l0</c> [G·H][in], <c>weight_hh_l0</c> [G·H][H],
/// <c>bias_ih_l0</c>, <c>bias_hh_l0</c>, and <c>_reverse</c> copies), so weights move both ways unchanged.
/// Layer l &gt; 0 reads the D·H-wide output of layer l−1, after dropout when training.
/// </summary>
/// <typeparam name="T">float for training, double for exact checks.</typeparam>
public sealed class RecurrentStack<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly RecurrentDirection<T>[] _directions; // [layer * D + direction]
    private readonly Dropout<T>[] _dropouts;              // between layer l and l+1
    private readonly T[][] _layerOutputs;                 // [L][T·B·D·H]
    private readonly T[][] _droppedOutputs;               // [L−1][T·B·D·H], the inputs of layers 1..L−1 in training
    private T[] _gradA = [], _gradB = [];
    private int _steps, _batch;

    /// <summary>
    /// Creates a zero-initialised network (call <see cref="InitializeDefault"/> for PyTorch's initialisation).
    /// Parameter names get <paramref name="prefix"/> in front (e.g. <c>"rnn."</c>).
    /// </summary>
    public RecurrentStack(RecurrentCell cell, int inputSize, int hiddenSize, int numLayers = 1, bool bidirectional = false,
        double dropout = 0, SeededRandom? random = null, string prefix = "")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numLayers);
        Cell = cell;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        Directions = bidirectional ? 2 : 1;
        Random = random ?? new SeededRandom(0);
        _directions = new RecurrentDirection<T>[numLayers * Directions];
        for (int l = 0; l < numLayers; l++)
            for (int d = 0; d < Directions; d++)
            {
                int input = l == 0 ? inputSize : Directions * hiddenSize;
                _directions[l * Directions + d] = cell switch
                {
                    RecurrentCell.Lstm => new LstmDirection<T>(input, hiddenSize, l, d == 1, prefix),
                    RecurrentCell.Gru => new GruDirection<T>(input, hiddenSize, l, d == 1, prefix),
                    _ => new RnnDirection<T>(cell, input, hiddenSize, l, d == 1, prefix),
                };
            }
        _dropouts = new Dropout<T>[numLayers - 1];
        for (int l = 0; l < _dropouts.Length; l++) _dropouts[l] = new Dropout<T>(dropout, Random);
        _layerOutputs = new T[numLayers][];
        _droppedOutputs = new T[Math.Max(0, numLayers - 1)][];
        for (int l = 0; l < numLayers; l++) _layerOutputs[l] = [];
        for (int l = 0; l < _droppedOutputs.Length; l++) _droppedOutputs[l] = [];
        var list = new List<Parameter<T>>();
        foreach (var dir in _directions)
            list.AddRange([dir.WeightIh, dir.WeightHh, dir.BiasIh, dir.BiasHh]);
        Parameters = list;
    }

    /// <summary>The cell type.</summary>
    public RecurrentCell Cell { get; }

    /// <summary>I, the input width of layer 0.</summary>
    public int InputSize { get; }

    /// <summary>H.</summary>
    public int HiddenSize { get; }

    /// <summary>L.</summary>
    public int NumLayers { get; }

    /// <summary>D: 2 when bidirectional, else 1.</summary>
    public int Directions { get; }

    /// <summary>Width of the output rows, D·H.</summary>
    public int OutputSize => Directions * HiddenSize;

    /// <summary>Number of state rows-blocks, L·D (the first dimension of h0/h_n).</summary>
    public int StateCount => NumLayers * Directions;

    /// <summary>Dropout between layers is applied only while this is true.</summary>
    public bool Training { get; set; }

    /// <summary>The generator used for dropout masks between layers.</summary>
    public SeededRandom Random { get; }

    /// <summary>All parameters in PyTorch's state_dict order (per layer, per direction: w_ih, w_hh, b_ih, b_hh).</summary>
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>The dropout layers between consecutive layers (L−1 of them), e.g. to fix masks in tests.</summary>
    public IReadOnlyList<Dropout<T>> InterLayerDropouts => _dropouts;

    /// <summary>PyTorch's default initialisation: every weight and bias uniform in ±1/√H.</summary>
    public void InitializeDefault(SeededRandom random)
    {
        double bound = 1 / Math.Sqrt(HiddenSize);
        foreach (var p in Parameters) random.FillUniform<T>(p.Value.Data, bound);
    }

    /// <summary>
    /// Runs the network over <paramref name="input"/> [T][B][I] and writes <paramref name="output"/> [T][B][D·H].
    /// <paramref name="h0"/>/<paramref name="c0"/> are [L·D][B][H] or empty for zeros (c only for the LSTM);
    /// final states go to <paramref name="hN"/>/<paramref name="cN"/> when not empty. h0 and hN (c0 and cN) may be
    /// the same buffer, which is how a language model carries its state from one chunk to the next.
    /// The activations needed by <see cref="Backward"/> are kept until the next Forward.
    /// </summary>
    public void Forward(ReadOnlySpan<T> input, int steps, int batch, ReadOnlySpan<T> h0, ReadOnlySpan<T> c0,
        Span<T> output, Span<T> hN, Span<T> cN)
    {
        int rows = steps * batch;
        CheckLength(input, rows * InputSize, nameof(input));
        CheckLength(output, rows * OutputSize, nameof(output));
        CheckState(h0, batch, nameof(h0)); CheckState(hN, batch, nameof(hN));
        CheckState(c0, batch, nameof(c0)); CheckState(cN, batch, nameof(cN));
        _steps = steps;
        _batch = batch;
        int stateSize = batch * HiddenSize;
        ReadOnlySpan<T> layerInput = input;
        for (int l = 0; l < NumLayers; l++)
        {
            var layerOutput = l == NumLayers - 1 ? output : Workspace.Ensure(ref _layerOutputs[l], rows * OutputSize);
            for (int d = 0; d < Directions; d++)
            {
                int s = l * Directions + d;
                _directions[s].Forward(layerInput, steps, batch, Slice(h0, s, stateSize), Slice(c0, s, stateSize),
                    layerOutput, d * HiddenSize, OutputSize, Slice(hN, s, stateSize), Slice(cN, s, stateSize));
            }
            if (l < NumLayers - 1)
            {
                var dropped = Workspace.Ensure(ref _droppedOutputs[l], rows * OutputSize);
                _dropouts[l].Forward(layerOutput, dropped, Training);
                layerInput = dropped;
            }
        }
    }

    /// <summary>
    /// Backpropagates through the last Forward: takes d loss / d output [T][B][D·H] and d loss / d h_n (c_n)
    /// (empty for zero), accumulates every parameter gradient, and writes d loss / d input [T][B][I] and
    /// d loss / d h0 (c0) when those spans are not empty. <paramref name="input"/> must be the Forward input.
    /// </summary>
    public void Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> dOutput, ReadOnlySpan<T> dhN, ReadOnlySpan<T> dcN,
        Span<T> dInput, Span<T> dh0, Span<T> dc0)
    {
        int rows = _steps * _batch, stateSize = _batch * HiddenSize;
        CheckLength(dOutput, rows * OutputSize, nameof(dOutput));
        CheckState(dhN, _batch, nameof(dhN)); CheckState(dcN, _batch, nameof(dcN));
        CheckState(dh0, _batch, nameof(dh0)); CheckState(dc0, _batch, nameof(dc0));
        if (!dInput.IsEmpty) CheckLength(dInput, rows * InputSize, nameof(dInput));
        ReadOnlySpan<T> dLayerOutput = dOutput;
        for (int l = NumLayers - 1; l >= 0; l--)
        {
            ReadOnlySpan<T> layerInput = l == 0 ? input : _droppedOutputs[l - 1].AsSpan(0, rows * OutputSize);
            // ping-pong between two buffers: layer l reads one and writes the gradient of its input to the other
            Span<T> dLayerInput = l == 0 ? dInput
                : Workspace.Ensure(ref (l % 2 == 0 ? ref _gradA : ref _gradB), rows * OutputSize);
            for (int d = 0; d < Directions; d++)
            {
                int s = l * Directions + d;
                _directions[s].Backward(layerInput, dLayerOutput, d * HiddenSize, OutputSize,
                    Slice(dhN, s, stateSize), Slice(dcN, s, stateSize), dLayerInput, d > 0,
                    Slice(dh0, s, stateSize), Slice(dc0, s, stateSize));
            }
            if (l > 0)
            {
                _dropouts[l - 1].Backward(dLayerInput, dLayerInput);
                dLayerOutput = dLayerInput;
            }
        }
    }

    private static Span<T> Slice(Span<T> states, int index, int size) => states.IsEmpty ? default : states.Slice(index * size, size);

    private static ReadOnlySpan<T> Slice(ReadOnlySpan<T> states, int index, int size) => states.IsEmpty ? default : states.Slice(index * size, size);

    private void CheckState(ReadOnlySpan<T> state, int batch, string name)
    {
        if (!state.IsEmpty) CheckLength(state, StateCount * batch * HiddenSize, name);
    }

    private static void CheckLength(ReadOnlySpan<T> span, int expected, string name)
    {
        if (span.Length != expected) throw new ArgumentException($"{name} has {span.Length} elements, expected {expected}", name);
    }
}
