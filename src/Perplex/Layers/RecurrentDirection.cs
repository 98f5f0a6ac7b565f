using System.Numerics;
using Perplex.Tensors;

namespace Perplex.Layers;

/// <summary>
/// One direction of one layer of a recurrent network: the part every cell shares.
/// <list type="bullet">
/// <item>Forward: the input projection of ALL time steps is one GEMM (T·B × in → G·H); each step then adds
/// only the recurrent product h' W_hhᵀ against a W_hh packed once per chunk (see <see cref="RecurrentProduct"/>)
/// and applies the cell.</item>
/// <item>Backward: the time loop only produces the gate gradients dG[t] and the recurrent dh'; afterwards
/// every weight gradient of the direction is one Aᵀ·B GEMM over all T·B rows and dx is one GEMM.</item>
/// </list>
/// Buffers are kept between calls (grow-only), so training allocates nothing after the first chunk.
/// States are kept in time order in <c>hs</c> [T+1][B][H]: for the forward direction slot t+1 holds h_t and
/// slot 0 holds h0; for the reverse direction slot t holds h_t and slot T holds h0. Either way the T outputs and
/// the T "previous" states are contiguous blocks, which is what lets the weight gradients be single GEMMs.
/// </summary>
internal abstract class RecurrentDirection<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    protected T[] Gates = [];     // [T][B][G·H]: pre-activations from the input projection, then whatever the cell keeps
    protected T[] Hs = [];        // [T+1][B][H], see the class comment
    protected T[] DGates = [];    // [T][B][G·H]: d loss / d pre-activation of the input path
    protected T[] DhNext = [];    // [B][H]: gradient flowing into h_{t-1} from step t
    protected T[] DhCur = [];     // [B][H]: total gradient of h_t (output + recurrence)
    protected int Steps;
    protected int Batch;
    private readonly CachedPacking<T> _hiddenWeightT; // op(B) = W_hhᵀ [H][G·H] for h' W_hhᵀ
    private readonly PackedMatrix<T> _hiddenWeight;   // op(B) = W_hh [G·H][H] for dG W_hh

    protected RecurrentDirection(int inputSize, int hiddenSize, int gates, int layer, bool reverse, string prefix)
    {
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        GateRows = gates * hiddenSize;
        Reverse = reverse;
        string suffix = $"_l{layer}" + (reverse ? "_reverse" : "");
        WeightIh = new Parameter<T>(prefix + "weight_ih" + suffix, GateRows, inputSize);
        WeightHh = new Parameter<T>(prefix + "weight_hh" + suffix, GateRows, hiddenSize);
        BiasIh = new Parameter<T>(prefix + "bias_ih" + suffix, GateRows);
        BiasHh = new Parameter<T>(prefix + "bias_hh" + suffix, GateRows);
        _hiddenWeightT = new CachedPacking<T>(hiddenSize, GateRows);
        _hiddenWeight = new PackedMatrix<T>(GateRows, hiddenSize);
        _job = new DirectionJob(this);
    }

    public int InputSize { get; }
    public int HiddenSize { get; }
    public bool Reverse { get; }

    /// <summary>G·H, the rows of the stacked gate weights.</summary>
    public int GateRows { get; }

    public Parameter<T> WeightIh { get; }
    public Parameter<T> WeightHh { get; }
    public Parameter<T> BiasIh { get; }
    public Parameter<T> BiasHh { get; }

    /// <summary>The gradient of the pre-activations that W_hh saw; only the GRU differs from <see cref="DGates"/>.</summary>
    protected virtual T[] DGatesHidden => DGates;

    protected int PrevSlot(int t) => Reverse ? t + 1 : t;
    protected int OutSlot(int t) => Reverse ? t : t + 1;
    protected Span<T> State(int slot) => Hs.AsSpan(slot * Batch * HiddenSize, Batch * HiddenSize);
    protected Span<T> GateRowsAt(T[] buffer, int t) => buffer.AsSpan(t * Batch * GateRows, Batch * GateRows);

    /// <summary>
    /// Runs the direction over x [T][B][in]. h0 (and c0) are [B][H] or empty for zeros; h_t is written to
    /// <paramref name="output"/> at column <paramref name="outOffset"/> of rows <paramref name="outStride"/> wide;
    /// h_n (c_n) to <paramref name="hN"/> (<paramref name="cN"/>) when not empty. h0 and hN may alias.
    /// </summary>
    public void Forward(ReadOnlySpan<T> x, int steps, int batch, ReadOnlySpan<T> h0, ReadOnlySpan<T> c0,
        Span<T> output, int outOffset, int outStride, Span<T> hN, Span<T> cN)
    {
        Steps = steps;
        Batch = batch;
        int h = HiddenSize, rows = steps * batch;
        Workspace.Ensure(ref Gates, rows * GateRows);
        Workspace.Ensure(ref Hs, (steps + 1) * batch * h);
        EnsureCellBuffers();

        // Input projection for every time step at once: Gates[t][b] = W_ih x[t][b] (+ biases, per cell).
        Gemm.Multiply(false, true, rows, GateRows, InputSize, x, InputSize, WeightIh.Value.Data, InputSize, Gates, GateRows, false);
        AddInputBiases(Gates.AsSpan(0, rows * GateRows), rows);

        var first = State(Reverse ? steps : 0);
        if (h0.IsEmpty) first.Clear(); else h0.CopyTo(first);
        BeginForward(c0);
        // W_hh is read by every step: pack it once for the whole chunk (the weights change only between chunks)
        if (steps > ShortCallSteps || _backwardSinceForward) RunJob(JobKind.PackForward, 0, PackParts());
        else _hiddenWeightT.PackIfChanged(transpose: true, WeightHh.Value.Data, HiddenSize);
        _backwardSinceForward = false;
        for (int s = 0; s < steps; s++)
            StepForward(Reverse ? steps - 1 - s : s);

        for (int t = 0; t < steps; t++)
        {
            var ht = State(OutSlot(t));
            for (int b = 0; b < batch; b++)
                ht.Slice(b * h, h).CopyTo(output.Slice((t * batch + b) * outStride + outOffset, h));
        }
        if (!hN.IsEmpty) State(Reverse ? 0 : steps).CopyTo(hN);
        EndForward(cN);
    }

    /// <summary>
    /// Backpropagates through the last Forward. dOutput is read at the same place Forward wrote the output;
    /// dhN/dcN may be empty (zero). Parameter gradients accumulate. dx [T][B][in] is overwritten, or added to
    /// when <paramref name="accumulateDx"/>, and skipped when empty; dh0/dc0 are written when not empty.
    /// </summary>
    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> dOutput, int outOffset, int outStride,
        ReadOnlySpan<T> dhN, ReadOnlySpan<T> dcN, Span<T> dx, bool accumulateDx, Span<T> dh0, Span<T> dc0)
    {
        int h = HiddenSize, batch = Batch, steps = Steps, rows = steps * batch;
        Workspace.Ensure(ref DGates, rows * GateRows);
        EnsureBackwardBuffers();
        var dhNext = Workspace.Ensure(ref DhNext, batch * h);
        var dhCur = Workspace.Ensure(ref DhCur, batch * h);
        if (dhN.IsEmpty) dhNext.Clear(); else dhN.CopyTo(dhNext);
        BeginBackward(dcN);
        RunJob(JobKind.PackBackward, 0, PackParts());
        _backwardSinceForward = true;

        for (int s = 0; s < steps; s++)
        {
            int t = Reverse ? s : steps - 1 - s;
            // dh_t = (gradient from the output at t) + (gradient from step t+1 through the recurrence)
            for (int b = 0; b < batch; b++)
                System.Numerics.Tensors.TensorPrimitives.Add(
                    dOutput.Slice((t * batch + b) * outStride + outOffset, h), dhNext.Slice(b * h, h), dhCur.Slice(b * h, h));
            StepBackward(t);
        }
        if (!dh0.IsEmpty) dhNext.CopyTo(dh0);
        EndBackward(dc0);

        // Weight gradients of all time steps, one GEMM each: dW_ih += dGᵀ X, dW_hh += dG_hᵀ H_prev.
        var dG = DGates.AsSpan(0, rows * GateRows);
        var dGh = DGatesHidden.AsSpan(0, rows * GateRows);
        var hPrev = Hs.AsSpan((Reverse ? 1 : 0) * batch * h, rows * h);
        Gemm.Multiply(true, false, GateRows, InputSize, rows, dG, GateRows, x, InputSize, WeightIh.Grad.Data, InputSize, true);
        Gemm.Multiply(true, false, GateRows, h, rows, dGh, GateRows, hPrev, h, WeightHh.Grad.Data, h, true);
        RowParallel.AddColumnSums(dG, rows, GateRows, BiasIh.Grad.Data);
        RowParallel.AddColumnSums(dGh, rows, GateRows, BiasHh.Grad.Data);
        if (!dx.IsEmpty)
            Gemm.Multiply(false, false, rows, InputSize, GateRows, dG, GateRows, WeightIh.Value.Data, InputSize, dx, InputSize, accumulateDx);
    }

    /// <summary>Calls of at most this many steps (generation feeds one token per call) repack W_hh only when it changed.</summary>
    private const int ShortCallSteps = 4;

    private bool _backwardSinceForward; // training: the weights change between calls, so packing is unconditional

    /// <summary>The per-step recurrent product dest (+)= h' · W_hhᵀ ([B][H] · [H][G·H]) against the W_hh packed for this chunk.</summary>
    protected void RecurrentProduct(ReadOnlySpan<T> hPrev, Span<T> dest, bool accumulate)
        => Gemm.Multiply(false, Batch, hPrev, HiddenSize, _hiddenWeightT.Packed, dest, GateRows, accumulate);

    /// <summary>The per-step backward recurrent product dhPrev (+)= dG · W_hh ([B][G·H] · [G·H][H]), W_hh packed once per backward.</summary>
    protected void RecurrentProductBackward(ReadOnlySpan<T> dGates, Span<T> dhPrev, bool accumulate)
        => Gemm.Multiply(false, Batch, dGates, GateRows, _hiddenWeight, dhPrev, HiddenSize, accumulate);

    /// <summary>
    /// Runs the cell's elementwise work of step t (<see cref="CellForward"/> or <see cref="CellBackward"/>) on the rows of
    /// the batch, split between the engine's threads when the direction runs on several and the step is large enough
    /// to pay for the fork. Rows are independent, so the result is the same for any split.
    /// </summary>
    protected void RunCell(int t, bool backward)
    {
        int parts = Parallelism.CurrentThreads;
        if (parts < 2 || Batch < 2 || (long)Batch * GateRows < MinCellElementsToFork) parts = 1;
        RunJob(backward ? JobKind.CellBackward : JobKind.CellForward, t, Math.Min(parts, Batch));
    }

    /// <summary>The cell's forward elementwise work of step t on batch rows [<paramref name="firstRow"/>, <paramref name="endRow"/>), after the recurrent product.</summary>
    protected abstract void CellForward(int t, int firstRow, int endRow);

    /// <summary>The cell's backward elementwise work of step t on batch rows [<paramref name="firstRow"/>, <paramref name="endRow"/>): DhCur to the gate gradients.</summary>
    protected abstract void CellBackward(int t, int firstRow, int endRow);

    /// <summary>Below this many gate pre-activations per step the cell runs on one thread (a fork costs a few microseconds).</summary>
    private const long MinCellElementsToFork = 1 << 15;

    /// <summary>Packing W_hh is split between the threads from this many elements up.</summary>
    private const long MinPackElementsToFork = 1 << 16;

    private int PackParts() => (long)GateRows * HiddenSize >= MinPackElementsToFork ? Parallelism.CurrentThreads : 1;

    private readonly DirectionJob _job;

    private void RunJob(JobKind kind, int t, int parts)
    {
        _job.Kind = kind;
        _job.Step = t;
        _job.Parts = parts;
        ForkJoin.Run(_job, parts);
    }

    private enum JobKind { PackForward, PackBackward, CellForward, CellBackward }

    /// <summary>
    /// What a direction splits between threads itself when it runs on several: packing W_hh (by column panels) and the
    /// cell (by rows of the batch). The recurrent products split inside the GEMM.
    /// </summary>
    private sealed class DirectionJob(RecurrentDirection<T> owner) : ParallelWork
    {
        public JobKind Kind;
        public int Step, Parts;

        public override void Run(int part)
        {
            int first = (int)((long)owner.Batch * part / Parts), end = (int)((long)owner.Batch * (part + 1) / Parts);
            switch (Kind)
            {
                case JobKind.PackForward: owner._hiddenWeightT.Pack(transpose: true, owner.WeightHh.Value.Data, owner.HiddenSize, part, Parts); break;
                case JobKind.PackBackward: owner._hiddenWeight.Pack(transpose: false, owner.WeightHh.Value.Data, owner.HiddenSize, part, Parts); break;
                case JobKind.CellForward: owner.CellForward(Step, first, end); break;
                default: owner.CellBackward(Step, first, end); break;
            }
        }
    }

    /// <summary>Adds the biases that can be folded into the input projection.</summary>
    protected abstract void AddInputBiases(Span<T> gates, int rows);

    /// <summary>One forward step at time t: reads State(PrevSlot(t)) and Gates[t], writes State(OutSlot(t)).</summary>
    protected abstract void StepForward(int t);

    /// <summary>One backward step at time t: reads DhCur, writes DGates[t] (and the GRU's hidden-path copy) and DhNext = d loss / d h_{t−1}.</summary>
    protected abstract void StepBackward(int t);

    protected virtual void EnsureCellBuffers() { }
    protected virtual void EnsureBackwardBuffers() { }
    protected virtual void BeginForward(ReadOnlySpan<T> c0) { }
    protected virtual void EndForward(Span<T> cN) { }
    protected virtual void BeginBackward(ReadOnlySpan<T> dcN) { }
    protected virtual void EndBackward(Span<T> dc0) { }
}
