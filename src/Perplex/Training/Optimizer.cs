using System.Numerics;
using Perplex.Tensors;

namespace Perplex.Training;

/// <summary>
/// Updates a fixed list of parameters from their gradients. Its state (step count and per-parameter moments)
/// is exposed as named tensors so a checkpoint can store and restore it exactly.
/// </summary>
public abstract class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates an optimizer for <paramref name="parameters"/> with learning rate <paramref name="learningRate"/>.</summary>
    protected Optimizer(IReadOnlyList<Parameter<T>> parameters, double learningRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(learningRate);
        Parameters = parameters;
        LearningRate = learningRate;
    }

    /// <summary>The parameters this optimizer updates.</summary>
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>The learning rate of the next step (annealing changes it between epochs).</summary>
    public double LearningRate { get; set; }

    /// <summary>Number of steps taken so far.</summary>
    public long StepCount { get; protected set; }

    /// <summary>A short name for logs and checkpoints: <c>sgd</c>, <c>adam</c>, <c>adamw</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>Applies one update using the current gradients.</summary>
    public void Step() => Step(1, zeroGradients: false);

    /// <summary>
    /// Applies one update using the current gradients multiplied by <paramref name="gradientScale"/> (a clipping
    /// factor from <see cref="GradientClipping.Measure"/>; the gradients are scaled in place exactly as
    /// <see cref="GradientClipping.ClipGlobalNorm"/> would), then clears them when <paramref name="zeroGradients"/>.
    /// Both happen block by block inside the update's own pass, so they cost no extra pass over the gradients.
    /// </summary>
    public void Step(double gradientScale, bool zeroGradients)
    {
        StepCount++;
        if (UpdatesByRange)
        {
            ParameterSweep<T>.Update(this, gradientScale, zeroGradients); // blocks shared among the engine's threads
            return;
        }
        if (gradientScale != 1) ParameterSweep<T>.ScaleGradients(Parameters, T.CreateChecked(gradientScale));
        for (int i = 0; i < Parameters.Count; i++)
            Update(i, Parameters[i].Value.Data, Parameters[i].Grad.Data);
        if (zeroGradients) ZeroGrad();
    }

    /// <summary>Updates parameter <paramref name="index"/> in place.</summary>
    protected abstract void Update(int index, Span<T> value, ReadOnlySpan<T> grad);

    /// <summary>True when a zero gradient leaves the weight exactly as it is (no momentum, no decay), so updates may skip it.</summary>
    protected internal virtual bool ZeroGradientChangesNothing => false;

    /// <summary>True when <see cref="UpdateRange"/> is implemented: the update of an element depends on that element alone.</summary>
    protected virtual bool UpdatesByRange => false;

    /// <summary>
    /// Updates elements [offset, offset + value.Length) of parameter <paramref name="index"/>, given as slices; lets
    /// <see cref="Step()"/> share an elementwise update among threads.
    /// </summary>
    protected virtual void UpdateRange(int index, int offset, Span<T> value, ReadOnlySpan<T> grad)
        => throw new NotSupportedException($"{GetType().Name} updates whole parameters only");

    internal void UpdateBlock(int index, int offset, Span<T> value, ReadOnlySpan<T> grad) => UpdateRange(index, offset, value, grad);

    /// <summary>Clears every gradient.</summary>
    public void ZeroGrad() => ParameterSweep<T>.ZeroGradients(Parameters);

    /// <summary>Per-parameter state tensors, named <c>{kind of state}.{parameter name}</c> (e.g. <c>exp_avg.decoder.bias</c>).</summary>
    public virtual IEnumerable<(string Name, Tensor<T> Tensor)> StateTensors() => [];

    /// <summary>Restores the step count after a checkpoint load (state tensors are filled in place).</summary>
    public void RestoreStepCount(long steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        StepCount = steps;
    }

    /// <summary>Creates the optimizer named on the command line: <c>sgd</c>, <c>adam</c> or <c>adamw</c>.</summary>
    public static Optimizer<T> Create(string kind, IReadOnlyList<Parameter<T>> parameters, double learningRate, double weightDecay = 0) =>
        kind.ToLowerInvariant() switch
        {
            "sgd" => new Sgd<T>(parameters, learningRate),
            "adam" => new Adam<T>(parameters, learningRate, weightDecay: weightDecay),
            "adamw" => new Adam<T>(parameters, learningRate, weightDecay: weightDecay == 0 ? 0.01 : weightDecay, decoupled: true),
            _ => throw new PerplexException($"unknown optimizer '{kind}' (expected sgd, adam or adamw)"),
        };
}
