using System.Numerics;

namespace Perplex.Tensors;

/// <summary>
/// A trainable tensor and its gradient, named as in PyTorch's <c>state_dict</c>
/// (e.g. <c>rnn.weight_ih_l0</c>) so weights move between Perplex and PyTorch unchanged.
/// </summary>
public sealed class Parameter<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The state_dict name.</summary>
    public string Name { get; set; }

    /// <summary>The current value.</summary>
    public Tensor<T> Value { get; private set; }

    /// <summary>The gradient, accumulated by Backward and cleared by <see cref="ZeroGrad"/>.</summary>
    public Tensor<T> Grad { get; private set; }

    /// <summary>Creates a zero-initialised parameter of the given shape.</summary>
    public Parameter(string name, params int[] shape)
    {
        Name = name;
        Value = new Tensor<T>(shape);
        Grad = new Tensor<T>(shape);
    }

    /// <summary>Wraps an existing value (no copy).</summary>
    public Parameter(string name, Tensor<T> value)
    {
        Name = name;
        Value = value;
        Grad = new Tensor<T>(value.Shape);
    }

    /// <summary>
    /// A parameter that is fitted by its own procedure rather than by backpropagation, so it carries an empty
    /// gradient instead of a second table of its size (the n-gram model's 2^22-row weights).
    /// </summary>
    internal static Parameter<T> WithoutGradient(string name, params int[] shape)
    {
        var p = new Parameter<T>(name, 0);
        p.Value = new Tensor<T>(shape);
        return p;
    }

    /// <summary>
    /// Makes this parameter use <paramref name="source"/>'s value tensor (and its gradient tensor when
    /// <paramref name="shareGradient"/>): how a data-parallel replica of a model reads the one set of weights.
    /// </summary>
    internal void ShareWith(Parameter<T> source, bool shareGradient)
    {
        if (!source.Value.Shape.AsSpan().SequenceEqual(Value.Shape))
            throw new ArgumentException($"cannot share {source} with {this}: shapes differ", nameof(source));
        Value = source.Value;
        if (shareGradient) Grad = source.Grad;
    }

    /// <summary>
    /// When set, the gradient is zero outside these rows (of the first dimension): an embedding table, of which a step
    /// uses a few hundred of the V rows. The passes over all gradients (clipping, SGD, zeroing) then skip the blocks
    /// without a marked row, which changes no result; zeroing the gradient clears the marks.
    /// </summary>
    internal Perplex.Encoders.TouchedRows? ZeroOutsideRows { get; set; }

    /// <summary>Sets the gradient to zero.</summary>
    public void ZeroGrad() => Grad.Clear();

    /// <inheritdoc />
    public override string ToString() => $"{Name} [{string.Join(", ", Value.Shape)}]";
}
