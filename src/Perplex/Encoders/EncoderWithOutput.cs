using System.Numerics;
using Perplex.Layers;
using Perplex.Tensors;

namespace Perplex.Encoders;

/// <summary>
/// The part every encoder-based task shares: a <see cref="SequenceEncoder{T}"/>, dropout, and a linear output layer
/// (<c>output.weight</c> [outputs][D·H], <c>output.bias</c>) over whatever vector the task takes from the hidden states.
/// </summary>
/// <typeparam name="T">float for training, double for exact gradient checks.</typeparam>
public abstract class EncoderWithOutput<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Creates the encoder and a zero-initialised output layer with <paramref name="outputs"/> rows over vectors of
    /// <paramref name="inputWidth"/> values (default: one hidden state, D·H).
    /// </summary>
    protected EncoderWithOutput(SequenceEncoderConfig encoder, int outputs, double dropout, SeededRandom? random, int? inputWidth = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        Encoder = new SequenceEncoder<T>(encoder, random);
        OutputDropout = new Dropout<T>(dropout, Encoder.Random);
        Output = new Linear<T>(inputWidth ?? Encoder.OutputSize, outputs, "output.");
        Parameters = [.. Encoder.Parameters, Output.Weight, Output.Bias];
    }

    /// <summary>The shared encoder.</summary>
    public SequenceEncoder<T> Encoder { get; }

    /// <summary>Dropout before the output layer.</summary>
    public Dropout<T> OutputDropout { get; }

    /// <summary>The output layer.</summary>
    public Linear<T> Output { get; }

    /// <summary>Every parameter in state_dict order.</summary>
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>Dropout is applied only while this is true.</summary>
    public bool Training
    {
        get => Encoder.Training;
        set => Encoder.Training = value;
    }

    /// <summary>Initialises the encoder and the output layer (PyTorch's defaults).</summary>
    public void Initialize(SeededRandom random)
    {
        Encoder.Initialize(random);
        Output.InitializeDefault(random);
    }
}
