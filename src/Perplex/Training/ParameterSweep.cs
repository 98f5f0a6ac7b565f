using System.Numerics;
using Perplex.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Training;

/// <summary>
/// The elementwise passes over all parameters between two training steps (zeroing the gradients, the sum of squares
/// and scaling of gradient clipping, the optimizer update, which can also do the scaling and zeroing while each
/// block is in cache), cut into fixed blocks that the engine's threads share.
/// Serial, they were ≈ 7 % of a two-thread LSTM-LM step and capped its speed-up (Amdahl). Blocks never depend on the
/// thread count, and the sum of squares is added up afterwards in block order, so every result is the same for any
/// number of threads. A parameter whose gradient is known to be zero outside some rows
/// (<see cref="Parameter{T}.ZeroOutsideRows"/>: an untied embedding table) has its other blocks skipped: their squares
/// are 0, scaling and zeroing them would change nothing, and neither would an update that leaves a weight with a zero
/// gradient alone (<see cref="Optimizer{T}.ZeroGradientChangesNothing"/>: SGD, not Adam).
/// </summary>
internal sealed class ParameterSweep<T> : ParallelWork where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Elements per block; also the unit in which squares are summed in float before being added in double.</summary>
    internal const int Block = 4096;

    /// <summary>Blocks per part of the fork: big enough that a part is worth waking a thread for.</summary>
    private const int BlocksPerPart = 16;

    private enum Pass { ZeroGradients, SumSquares, ScaleGradients, Update }

    [ThreadStatic] private static ParameterSweep<T>? _forThisThread;

    private IReadOnlyList<Parameter<T>> _parameters = [];
    private readonly List<(int Parameter, int Start, int Length)> _blocks = [];
    private double[] _squares = [];
    private Pass _pass;
    private T _scale;
    private bool _scaleBeforeUpdate, _zeroAfterUpdate;
    private Optimizer<T>? _optimizer;

    /// <summary>grad ← 0 for every parameter.</summary>
    public static void ZeroGradients(IReadOnlyList<Parameter<T>> parameters) => Run(parameters, Pass.ZeroGradients);

    /// <summary>Σ grad² over every parameter: float within each block of <see cref="Block"/>, blocks added in double in order.</summary>
    public static double SumOfSquares(IReadOnlyList<Parameter<T>> parameters)
    {
        var sweep = Run(parameters, Pass.SumSquares);
        double total = 0;
        for (int i = 0; i < sweep._blocks.Count; i++) total += sweep._squares[i];
        return total;
    }

    /// <summary>grad ← grad · scale for every parameter.</summary>
    public static void ScaleGradients(IReadOnlyList<Parameter<T>> parameters, T scale)
    {
        var sweep = Prepare(parameters);
        sweep._scale = scale;
        sweep.Execute(Pass.ScaleGradients);
    }

    /// <summary>
    /// The optimizer's elementwise update on every block of its parameters: per block, the gradient is first scaled by
    /// <paramref name="gradientScale"/> (unless 1), and cleared afterwards when <paramref name="zeroGradients"/>.
    /// </summary>
    public static void Update(Optimizer<T> optimizer, double gradientScale = 1, bool zeroGradients = false)
    {
        var sweep = Prepare(optimizer.Parameters);
        sweep._optimizer = optimizer;
        sweep._scaleBeforeUpdate = gradientScale != 1;
        sweep._scale = T.CreateChecked(gradientScale);
        sweep._zeroAfterUpdate = zeroGradients;
        try
        {
            sweep.Execute(Pass.Update);
        }
        finally
        {
            sweep._optimizer = null;
        }
    }

    private static ParameterSweep<T> Run(IReadOnlyList<Parameter<T>> parameters, Pass pass)
    {
        var sweep = Prepare(parameters);
        sweep.Execute(pass);
        return sweep;
    }

    /// <summary>The calling thread's sweep, its blocks cut for <paramref name="parameters"/> (recut only when the list changes).</summary>
    private static ParameterSweep<T> Prepare(IReadOnlyList<Parameter<T>> parameters)
    {
        var sweep = _forThisThread ??= new ParameterSweep<T>();
        if (!ReferenceEquals(sweep._parameters, parameters) || !sweep.SameSizes())
        {
            sweep._parameters = parameters;
            sweep._blocks.Clear();
            for (int p = 0; p < parameters.Count; p++)
                for (int start = 0; start < parameters[p].Grad.Length; start += Block)
                    sweep._blocks.Add((p, start, Math.Min(Block, parameters[p].Grad.Length - start)));
            if (sweep._squares.Length < sweep._blocks.Count) sweep._squares = new double[sweep._blocks.Count]; // grow only: a thread may alternate between models
        }
        return sweep;
    }

    /// <summary>True when the cut blocks still cover the parameters exactly (a list may be refilled in place).</summary>
    private bool SameSizes()
    {
        int blocks = 0;
        for (int p = 0; p < _parameters.Count; p++) blocks += (_parameters[p].Grad.Length + Block - 1) / Block; // no enumerator: no allocation
        return blocks == _blocks.Count;
    }

    private void Execute(Pass pass)
    {
        _pass = pass;
        int parts = (_blocks.Count + BlocksPerPart - 1) / BlocksPerPart;
        if (Parallelism.CurrentThreads < 2) parts = Math.Min(parts, 1);
        ForkJoin.Run(this, parts, Parallelism.CurrentThreads);
        if (pass == Pass.ZeroGradients || (pass == Pass.Update && _zeroAfterUpdate))
            for (int p = 0; p < _parameters.Count; p++) _parameters[p].ZeroOutsideRows?.Clear(); // all zero again (no enumerator: no allocation)
    }

    /// <summary>True when block <paramref name="i"/> holds only gradient rows that are known to be zero.</summary>
    private bool IsKnownZero(int i)
    {
        var (index, start, length) = _blocks[i];
        var parameter = _parameters[index];
        if (parameter.ZeroOutsideRows is not { } rows) return false;
        int width = parameter.Value.Length / parameter.Value.Shape[0];
        return !rows.AnyMarked(start / width, (start + length - 1) / width);
    }

    public override void Run(int part)
    {
        int end = Math.Min(_blocks.Count, (part + 1) * BlocksPerPart);
        if (Parallelism.CurrentThreads < 2) end = _blocks.Count; // one part does everything
        for (int i = part * BlocksPerPart; i < end; i++)
        {
            var (index, start, length) = _blocks[i];
            var parameter = _parameters[index];
            var grad = parameter.Grad.Data.AsSpan(start, length);
            if (IsKnownZero(i) && (_pass != Pass.Update || _optimizer!.ZeroGradientChangesNothing))
            {
                if (_pass == Pass.SumSquares) _squares[i] = 0;
                continue;
            }
            switch (_pass)
            {
                case Pass.ZeroGradients: grad.Clear(); break;
                case Pass.SumSquares: _squares[i] = double.CreateTruncating(TP.SumOfSquares<T>(grad)); break;
                case Pass.ScaleGradients: TP.Multiply(grad, _scale, grad); break;
                case Pass.Update:
                    if (_scaleBeforeUpdate) TP.Multiply(grad, _scale, grad);
                    _optimizer!.UpdateBlock(index, start, parameter.Value.Data.AsSpan(start, length), grad);
                    if (_zeroAfterUpdate) grad.Clear();
                    break;
            }
        }
    }
}
