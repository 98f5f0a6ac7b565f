using System.Numerics;
using Perplex.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Layers;

/// <summary>
/// GRU direction, gates stacked r, z, n as PyTorch:
/// r = σ(W_ir x + b_ir + W_hr h' + b_hr), z = σ(W_iz x + b_iz + W_hz h' + b_hz),
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h' + b_hn)), h = (1 − z) ⊙ n + z ⊙ h'.
/// Because r multiplies the whole hidden term of n (bias included), b_hh cannot join the input projection
/// and the input path and the hidden path see different gradients in the n block.
/// </summary>
internal sealed class GruDirection<T> : RecurrentDirection<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] _hidden = [];       // [B][3H]: W_hh h' + b_hh of the current step
    private T[] _hiddenN = [];      // [T][B][H]: W_hn h' + b_hn, kept for backward
    private T[] _dGatesHidden = []; // [T][B][3H]: d loss / d (W_hh h' + b_hh)

    public GruDirection(int inputSize, int hiddenSize, int layer, bool reverse, string prefix)
        : base(inputSize, hiddenSize, 3, layer, reverse, prefix) { }

    protected override T[] DGatesHidden => _dGatesHidden;

    protected override void EnsureCellBuffers()
    {
        Workspace.Ensure(ref _hidden, Batch * GateRows);
        Workspace.Ensure(ref _hiddenN, Steps * Batch * HiddenSize);
    }

    protected override void EnsureBackwardBuffers() => Workspace.Ensure(ref _dGatesHidden, Steps * Batch * GateRows);

    protected override void AddInputBiases(Span<T> gates, int rows) => RowParallel.AddRowVector(gates, rows, GateRows, BiasIh.Value.Data);

    protected override void StepForward(int t)
    {
        int n = HiddenSize;
        // Gates[t]: W_ih x + b_ih on entry; r, z, n on exit
        var hidden = _hidden.AsSpan(0, Batch * GateRows);
        for (int b = 0; b < Batch; b++) BiasHh.Value.Data.CopyTo(hidden.Slice(b * GateRows, GateRows));
        var hPrev = State(PrevSlot(t));
        RecurrentProduct(hPrev, hidden, accumulate: true);   // W_hh h' + b_hh
        RunCell(t, backward: false);
    }

    protected override void CellForward(int t, int firstRow, int endRow)
    {
        int n = HiddenSize;
        var gates = GateRowsAt(Gates, t);
        var hidden = _hidden.AsSpan(0, Batch * GateRows);
        var hPrev = State(PrevSlot(t));
        var h = State(OutSlot(t));
        for (int b = firstRow; b < endRow; b++)
        {
            var gi = gates.Slice(b * GateRows, GateRows);
            var gh = hidden.Slice(b * GateRows, GateRows);
            var rz = gi[..(2 * n)];
            TP.Add(rz, gh[..(2 * n)], rz);
            Kernels.Sigmoid<T>(rz, rz);                                        // r, z
            ReadOnlySpan<T> r = gi[..n], z = gi.Slice(n, n), hn = gh.Slice(2 * n, n);
            hn.CopyTo(_hiddenN.AsSpan((t * Batch + b) * n, n));
            var cand = gi.Slice(2 * n, n);
            TP.MultiplyAdd(r, hn, cand, cand);                                 // W_in x + b_in + r ⊙ (W_hn h' + b_hn)
            Kernels.Tanh<T>(cand, cand);                                       // n
            var hb = h.Slice(b * n, n);
            TP.Subtract(hPrev.Slice(b * n, n), cand, hb);
            TP.MultiplyAdd(z, hb, cand, hb);                                   // h = n + z ⊙ (h' − n)
        }
    }

    protected override void StepBackward(int t)
    {
        RunCell(t, backward: true);
        RecurrentProductBackward(_dGatesHidden.AsSpan(t * Batch * GateRows, Batch * GateRows), DhNext, accumulate: true);
    }

    protected override void CellBackward(int t, int firstRow, int endRow)
    {
        int n = HiddenSize;
        var gates = GateRowsAt(Gates, t);
        var dGi = GateRowsAt(DGates, t);
        var dGh = _dGatesHidden.AsSpan(t * Batch * GateRows, Batch * GateRows);
        var hPrev = State(PrevSlot(t));
        for (int b = firstRow; b < endRow; b++)
        {
            var g = gates.Slice(b * GateRows, GateRows);
            ReadOnlySpan<T> r = g[..n], z = g.Slice(n, n), cand = g.Slice(2 * n, n);
            ReadOnlySpan<T> dh = DhCur.AsSpan(b * n, n), hn = _hiddenN.AsSpan((t * Batch + b) * n, n);
            var di = dGi.Slice(b * GateRows, GateRows);
            var dhh = dGh.Slice(b * GateRows, GateRows);
            Span<T> dr = di[..n], dz = di.Slice(n, n), dn = di.Slice(2 * n, n);
            var dhPrev = DhNext.AsSpan(b * n, n);

            // h = (1 − z) ⊙ n + z ⊙ h':  direct dh' = dh ⊙ z,  dn = dh ⊙ (1 − z) = dh − dh' ,  dz = dh ⊙ (h' − n)
            TP.Multiply(dh, z, dhPrev);
            TP.Subtract(dh, dhPrev, dn);
            Kernels.TanhBackward(cand, dn, dn);                                 // through n = tanh(·)
            TP.Subtract(hPrev.Slice(b * n, n), cand, dz);
            TP.Multiply(dz, dh, dz);
            Kernels.SigmoidBackward(z, dz, dz);
            // r scales the hidden term: dr = dn_pre ⊙ (W_hn h' + b_hn)
            TP.Multiply(dn, hn, dr);
            Kernels.SigmoidBackward(r, dr, dr);
            // the hidden path sees the same r and z gradients, and dn_pre ⊙ r in the n block
            di[..(2 * n)].CopyTo(dhh[..(2 * n)]);
            TP.Multiply(dn, r, dhh.Slice(2 * n, n));
        }
    }
}
