using System.Numerics;
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
        Workspace.AddToRows(gates, rows, BiasIh.Value.Data);
        Workspace.AddToRows(gates, rows, BiasHh.Value.Data);
    }

    protected override void StepForward(int t)
    {
        int n = HiddenSize;
        var gates = GateRowsAt(Gates, t);
        RecurrentProduct(State(PrevSlot(t)), gates, accumulate: true);
        var cPrev = Cell(PrevSlot(t));
        var c = Cell(OutSlot(t));
        var tc = TanhCell(t);
        var h = State(OutSlot(t));
        for (int b = 0; b < Batch; b++)
        {
            var row = gates.Slice(b * 4 * n, 4 * n);
            TP.Sigmoid(row[..(2 * n)], row[..(2 * n)]);          // i, f
            TP.Tanh(row.Slice(2 * n, n), row.Slice(2 * n, n));     // g
            TP.Sigmoid(row.Slice(3 * n, n), row.Slice(3 * n, n));  // o
            var i = row[..n];
            var f = row.Slice(n, n);
            var g = row.Slice(2 * n, n);
            var o = row.Slice(3 * n, n);
            var cb = c.Slice(b * n, n);
            var tcb = tc.Slice(b * n, n);
            TP.Multiply(f, cPrev.Slice(b * n, n), cb);   // c = f ⊙ c'
            TP.MultiplyAdd(i, g, cb, cb);                 //   + i ⊙ g
            TP.Tanh(cb, tcb);
            TP.Multiply(o, tcb, h.Slice(b * n, n));       // h = o ⊙ tanh c
        }
    }

    protected override void BeginBackward(ReadOnlySpan<T> dcN)
    {
        var dc = Workspace.Ensure(ref _dcNext, Batch * HiddenSize);
        if (dcN.IsEmpty) dc.Clear(); else dcN.CopyTo(dc);
    }

    protected override void EndBackward(Span<T> dc0)
    {
        if (!dc0.IsEmpty) _dcNext.AsSpan(0, Batch * HiddenSize).CopyTo(dc0);
    }

    protected override void StepBackward(int t)
    {
        int n = HiddenSize;
        var gates = GateRowsAt(Gates, t);
        var dGates = GateRowsAt(DGates, t);
        var cPrev = Cell(PrevSlot(t));
        var tc = TanhCell(t);
        var dh = DhCur;
        var dcNext = _dcNext;
        for (int b = 0; b < Batch; b++)
        {
            var row = gates.Slice(b * 4 * n, 4 * n);
            var drow = dGates.Slice(b * 4 * n, 4 * n);
            for (int j = 0; j < n; j++)
            {
                int k = b * n + j;
                T i = row[j], f = row[n + j], g = row[2 * n + j], o = row[3 * n + j], tcj = tc[k];
                // do = dh ⊙ tanh c;  dc = dc_next + dh ⊙ o ⊙ (1 − tanh² c)
                T dO = dh[k] * tcj;
                T dc = dcNext[k] + dh[k] * o * (T.One - tcj * tcj);
                // di = dc ⊙ g, df = dc ⊙ c', dg = dc ⊙ i, dc' = dc ⊙ f; then through σ' = s(1−s), tanh' = 1 − g²
                drow[j] = dc * g * i * (T.One - i);
                drow[n + j] = dc * cPrev[k] * f * (T.One - f);
                drow[2 * n + j] = dc * i * (T.One - g * g);
                drow[3 * n + j] = dO * o * (T.One - o);
                dcNext[k] = dc * f;
            }
        }
        RecurrentProductBackward(dGates, DhNext, accumulate: false);
    }
}
