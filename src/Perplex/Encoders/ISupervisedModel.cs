using Perplex.Tensors;

namespace Perplex.Encoders;

/// <summary>A model that <see cref="SupervisedTrainer"/> can train: examples are referred to by index.</summary>
internal interface ISupervisedModel
{
    /// <summary>Every trainable parameter.</summary>
    IReadOnlyList<Parameter<float>> Parameters { get; }

    /// <summary>The embedding tables (a subset of <see cref="Parameters"/>) with the rows their last backward used.</summary>
    IReadOnlyList<(Parameter<float> Table, TouchedRows Rows)> SparseTables { get; }

    /// <summary>Switches dropout on (training) or off (evaluation).</summary>
    bool Training { get; set; }

    /// <summary>Runs forward and backward on the training examples <paramref name="examples"/> (all of one length),
    /// accumulating the gradients of their mean loss, and returns that mean loss.</summary>
    double TrainBatch(int[] examples);

    /// <summary>A second network of the same architecture over the same examples (its own weights, gradients and
    /// dropout stream drawn from <paramref name="seed"/>), for data-parallel training.</summary>
    ISupervisedModel CreateReplica(ulong seed);
}
