using System.Numerics;
using Perplex.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Layers;

/// <summary>
/// LSTM direction, gates stacked i, f, g, o as PyTorch:
/// i = σ(·), f = σ(·), g = tanh(·), o = σ(·), each (·) = W_ih[blk] x_t + b_ih[blk] + W_hh[blk] h_{t−1} + b_hh[blk];
/// c_t = f ⊙ c_{t−1} + i ⊙ g;  h_t = o ⊙ tanh(c_t).
/// </summary>
internal sealed class LstmDirection<T> : RecurrentDirection<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] _cs = [];      // [T+1][B][H], same slot scheme as the hidden states
    private T[] _tanhC = [];   // [T][B][H]: tanh(c_t), kept for backward
    private T[] _dcNext = [];  // [B][H]: d loss / d c_{t−1}
    private T[] _scratch = [];  // [B][H], a row per batch row so that rows can run on different threads

    public LstmDirection(int inputSize, int hiddenSize, int layer, bool reverse, string prefix)
        : base(inputSize, hiddenSize, 4, layer, reverse, prefix) { }

    private Span<T> Cell(int slot) => _cs.AsSpan(slot * Batch * HiddenSize, Batch * HiddenSize);
    private Span<T> TanhCell(int t) => _tanhC.AsSpan(t * Batch * HiddenSize, Batch * HiddenSize);

    protected override void EnsureCellBuffers()
    {
        Workspace.Ensure(ref _cs, (Steps + 1) * Batch * HiddenSize);
        Workspace.Ensure(ref _tanhC, Steps * Batch * HiddenSize);
    }

    protected override void BeginForward(ReadOnlySpan<T> c0)
    {
        var first = Cell(Reverse ? Steps : 0);
        if (c0.IsEmpty) first.Clear(); else c0.CopyTo(first);
    }

    protected override void EndForward(Span<T> cN)
    {
        if (!cN.IsEmpty) Cell(Reverse ? 0 : Steps).CopyTo(cN);
    }

    protected override void AddInputBiases(Span<T> gates, int rows)
    {
        RowParallel.AddRowVector(gates, rows, GateRows, BiasIh.Value.Data);
        RowParallel.AddRowVector(gates, rows, GateRows, BiasHh.Value.Data);
    }

    protected override void StepForward(int t)
    {
        RecurrentProduct(State(PrevSlot(t)), GateRowsAt(Gates, t), accumulate: true); // W_ih x_t + b_ih + b_hh on entry
        long started = StepProfile.Start();
        RunCell(t, backward: false);
        StepProfile.Stop(started, "LSTM cell forward");
    }

    protected override void CellForward(int t, int firstRow, int endRow)
    {
        int n = HiddenSize;
        var gates = GateRowsAt(Gates, t);
        var cPrev = Cell(PrevSlot(t));
        var c = Cell(OutSlot(t));
        var tc = TanhCell(t);
        var h = State(OutSlot(t));
        for (int b = firstRow; b < endRow; b++)
        {
            var row = gates.Slice(b * 4 * n, 4 * n);
            Kernels.Sigmoid<T>(row[..(2 * n)], row[..(2 * n)]);          // i, f
            Kernels.Tanh<T>(row.Slice(2 * n, n), row.Slice(2 * n, n));     // g
            Kernels.Sigmoid<T>(row.Slice(3 * n, n), row.Slice(3 * n, n));  // o
            ReadOnlySpan<T> i = row[..n], f = row.Slice(n, n), g = row.Slice(2 * n, n), o = row.Slice(3 * n, n);
            var cb = c.Slice(b * n, n);
            var tcb = tc.Slice(b * n, n);
            TP.Multiply(f, cPrev.Slice(b * n, n), cb);   // c = f ⊙ c'
            TP.MultiplyAdd(i, g, cb, cb);                 //   + i ⊙ g
            Kernels.Tanh<T>(cb, tcb);
            TP.Multiply(o, tcb, h.Slice(b * n, n));       // h = o ⊙ tanh c
        }
    }

    protected override void BeginBackward(ReadOnlySpan<T> dcN)
    {
        Workspace.Ensure(ref _scratch, Batch * HiddenSize);
        var dc = Workspace.Ensure(ref _dcNext, Batch * HiddenSize);
        if (dcN.IsEmpty) dc.Clear(); else dcN.CopyTo(dc);
    }

    protected override void EndBackward(Span<T> dc0)
    {
        if (!dc0.IsEmpty) _dcNext.AsSpan(0, Batch * HiddenSize).CopyTo(dc0);
    }

    protected override void StepBackward(int t)
    {
        long started = StepProfile.Start();
        RunCell(t, backward: true);
        StepProfile.Stop(started, "LSTM cell backward");
        RecurrentProductBackward(GateRowsAt(DGates, t), DhNext, accumulate: false);
    }

    protected override void CellBackward(int t, int firstRow, int endRow)
    {
        int n = HiddenSize;
        var gates = GateRowsAt(Gates, t);
        var dGates = GateRowsAt(DGates, t);
        var cPrev = Cell(PrevSlot(t));
        var tc = TanhCell(t);
        for (int b = firstRow; b < endRow; b++)
        {
            var scratch = _scratch.AsSpan(b * n, n);
            var row = gates.Slice(b * 4 * n, 4 * n);
            ReadOnlySpan<T> i = row[..n], f = row.Slice(n, n), g = row.Slice(2 * n, n), o = row.Slice(3 * n, n);
            var drow = dGates.Slice(b * 4 * n, 4 * n);
            Span<T> di = drow[..n], df = drow.Slice(n, n), dg = drow.Slice(2 * n, n), dO = drow.Slice(3 * n, n);
            ReadOnlySpan<T> dh = DhCur.AsSpan(b * n, n), tcb = tc.Slice(b * n, n);
            var dc = _dcNext.AsSpan(b * n, n);            // holds dc_next on entry, dc_{t−1} on exit

            // h = o ⊙ tanh c:  do = dh ⊙ tanh c,  dc = dc_next + dh ⊙ o ⊙ (1 − tanh² c)
            TP.Multiply(dh, tcb, dO);
            Kernels.TanhBackward(tcb, dh, scratch);
            TP.MultiplyAdd(scratch, o, dc, dc);
            // c = f ⊙ c' + i ⊙ g:  di = dc ⊙ g,  df = dc ⊙ c',  dg = dc ⊙ i,  dc' = dc ⊙ f
            TP.Multiply(dc, g, di);
            TP.Multiply(dc, cPrev.Slice(b * n, n), df);
            TP.Multiply(dc, i, dg);
            TP.Multiply(dc, f, dc);
            // through the gate nonlinearities, to the pre-activations
            Kernels.SigmoidBackward(i, di, di);
            Kernels.SigmoidBackward(f, df, df);
            Kernels.TanhBackward(g, dg, dg);
            Kernels.SigmoidBackward(o, dO, dO);
        }
    }
}
