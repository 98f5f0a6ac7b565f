using Perplex.Tensors;

namespace Perplex.Encoders;

/// <summary>A model that <see cref="SupervisedTrainer"/> can train: examples are referred to by index.</summary>
public interface ISupervisedModel
{
    /// <summary>Every trainable parameter.</summary>
    IReadOnlyList<Parameter<float>> Parameters { get; }

    /// <summary>Switches dropout on (training) or off (evaluation).</summary>
    bool Training { get; set; }

    /// <summary>Runs forward and backward on the training examples <paramref name="examples"/> (all of one length),
    /// accumulating the gradients of their mean loss, and returns that mean loss.</summary>
    double TrainBatch(int[] examples);
}
