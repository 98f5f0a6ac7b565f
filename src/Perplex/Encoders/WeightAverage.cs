using Perplex.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Encoders;

/// <summary>
/// An exponential moving average of the weights (Polyak averaging; PyTorch's <c>AveragedModel</c> with an EMA function,
/// TensorFlow's <c>ExponentialMovingAverage</c>): a ← d·a + (1 − d)·w after the optimizer's steps. Training goes on with
/// the raw weights w; validation and the saved model use the average a.
/// <para>Why: with Adam, dropout and small batches the weights wander around a minimum from batch to batch, and the
/// validation score of a single snapshot moves with them. The average of the last few thousand steps lies nearer the
/// centre, which usually generalises a little better and varies less from epoch to epoch.</para>
/// <para>The average is updated every <see cref="Interval"/> steps with the decay d^Interval: a whole-model update
/// reads and writes every weight (the 3 M floats of an embedding table too), which would cost more than a small batch
/// if done every step. Early on the decay is min(d^Interval, (1 + n)/(10 + n)) after n updates, TensorFlow's
/// <c>num_updates</c> rule, so the average soon forgets the initial weights.</para>
/// </summary>
internal sealed class WeightAverage
{
    /// <summary>Optimizer steps between two updates of the average.</summary>
    public const int Interval = 8;

    private readonly IReadOnlyList<Parameter<float>> _parameters;
    private readonly Tensor<float>[] _average;
    private readonly double _decay;

    /// <summary>Starts an average of <paramref name="parameters"/> at their current values.</summary>
    public WeightAverage(IReadOnlyList<Parameter<float>> parameters, double decay)
    {
        if (decay is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(decay), decay, "the decay of a weight average lies strictly between 0 and 1");
        _parameters = parameters;
        _decay = decay;
        _average = parameters.Select(p =>
        {
            var copy = new Tensor<float>(p.Value.Shape);
            p.Value.Data.CopyTo(copy.Data, 0);
            return copy;
        }).ToArray();
    }

    /// <summary>Moves the average towards the current weights when <paramref name="steps"/> (optimizer steps taken so
    /// far) completes an interval; otherwise does nothing.</summary>
    public void Update(long steps)
    {
        if (steps <= 0 || steps % Interval != 0) return;
        long updates = steps / Interval - 1; // updates made before this one
        double decay = Math.Min(Math.Pow(_decay, Interval), (1.0 + updates) / (10.0 + updates));
        float weight = (float)(1 - decay);
        for (int i = 0; i < _average.Length; i++)
            TP.Lerp(_average[i].Data, _parameters[i].Value.Data, weight, _average[i].Data);
    }

    /// <summary>
    /// Puts the averaged weights into the model until the returned scope is disposed, which puts the training weights
    /// back. The two are exchanged in place, so no third copy of the model is needed.
    /// </summary>
    public IDisposable Apply()
    {
        Exchange();
        return new Scope(this);
    }

    /// <summary>The average's tensors, named as the parameters they average, for a training checkpoint.</summary>
    public IEnumerable<(string Name, Tensor<float> Tensor)> StateTensors() =>
        _parameters.Select((p, i) => (p.Name, _average[i]));

    private void Exchange()
    {
        Span<float> buffer = stackalloc float[1024];
        for (int i = 0; i < _average.Length; i++)
        {
            var a = _average[i].Data.AsSpan();
            var w = _parameters[i].Value.Data.AsSpan();
            for (int start = 0; start < a.Length; start += buffer.Length)
            {
                int n = Math.Min(buffer.Length, a.Length - start);
                var chunk = buffer[..n];
                a.Slice(start, n).CopyTo(chunk);
                w.Slice(start, n).CopyTo(a.Slice(start, n));
                chunk.CopyTo(w.Slice(start, n));
            }
        }
    }

    private sealed class Scope(WeightAverage owner) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            owner.Exchange();
        }
    }
}
