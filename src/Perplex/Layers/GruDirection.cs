using System.Numerics;

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
    private T[] _hidden = [];      // [B][3H]: W_hh h' + b_hh of the current step
    private T[] _hiddenN = [];     // [T][B][H]: W_hn h' + b_hn, kept for backward
    private T[] _dGatesHidden = []; // [T][B][3H]: d loss / d (W_hh h' + b_hh)

    public GruDirection(int inputSize, int hiddenSize, int layer, bool reverse, string prefix)
        : base(inputSize, hiddenSize, 3, layer, reverse, prefix) { }

    protected override T[] DGatesHidden => _dGatesHidden;

    protected override void EnsureCellBuffers()
    {
        Workspace.Ensure(ref _hidden, Batch * GateRows);
        Workspace.Ensure(ref _hiddenN, Steps * Batch * HiddenSize);
    }

    protected override void AddInputBiases(Span<T> gates, int rows) => Workspace.AddToRows(gates, rows, BiasIh.Value.Data);

    protected override void StepForward(int t)
    {
        int n = HiddenSize;
        var gates = GateRowsAt(Gates, t);   // W_ih x + b_ih on entry; r, z, n on exit
        var hid = _hidden.AsSpan(0, Batch * GateRows);
        for (int b = 0; b < Batch; b++) BiasHh.Value.Data.CopyTo(hid.Slice(b * GateRows, GateRows));
        var hPrev = State(PrevSlot(t));
        RecurrentProduct(hPrev, hid, accumulate: true);
        var hn = _hiddenN.AsSpan(t * Batch * n, Batch * n);
        var h = State(OutSlot(t));
        for (int b = 0; b < Batch; b++)
        {
            var gi = gates.Slice(b * GateRows, GateRows);
            var gh = hid.Slice(b * GateRows, GateRows);
            for (int j = 0; j < n; j++)
            {
                int k = b * n + j;
                T r = Sigmoid(gi[j] + gh[j]);
                T z = Sigmoid(gi[n + j] + gh[n + j]);
                T cand = T.Tanh(gi[2 * n + j] + r * gh[2 * n + j]);
                hn[k] = gh[2 * n + j];
                gi[j] = r;
                gi[n + j] = z;
                gi[2 * n + j] = cand;
                h[k] = (T.One - z) * cand + z * hPrev[k];
            }
        }
    }

    protected override void StepBackward(int t)
    {
        int n = HiddenSize;
        var gates = GateRowsAt(Gates, t);
        var dGi = GateRowsAt(DGates, t);
        var dGh = _dGatesHidden.AsSpan(t * Batch * GateRows, Batch * GateRows);
        var hn = _hiddenN.AsSpan(t * Batch * n, Batch * n);
        var hPrev = State(PrevSlot(t));
        var dh = DhCur;
        var dhPrev = DhNext;
        for (int b = 0; b < Batch; b++)
        {
            var g = gates.Slice(b * GateRows, GateRows);
            for (int j = 0; j < n; j++)
            {
                int k = b * n + j, o = b * GateRows;
                T r = g[j], z = g[n + j], cand = g[2 * n + j];
                // dn = dh ⊙ (1 − z), dz = dh ⊙ (h' − n), direct dh' = dh ⊙ z
                T dnPre = dh[k] * (T.One - z) * (T.One - cand * cand);
                T dzPre = dh[k] * (hPrev[k] - cand) * z * (T.One - z);
                // r scales the hidden term: dr = dn_pre ⊙ (W_hn h' + b_hn)
                T drPre = dnPre * hn[k] * r * (T.One - r);
                dGi[o + j] = drPre;
                dGi[o + n + j] = dzPre;
                dGi[o + 2 * n + j] = dnPre;
                dGh[o + j] = drPre;
                dGh[o + n + j] = dzPre;
                dGh[o + 2 * n + j] = dnPre * r;
                dhPrev[k] = dh[k] * z;
            }
        }
        RecurrentProductBackward(dGh, dhPrev, accumulate: true);
    }

    protected override void EnsureBackwardBuffers() => Workspace.Ensure(ref _dGatesHidden, Steps * Batch * GateRows);

    private static T Sigmoid(T x) => T.One / (T.One + T.Exp(-x));
}
