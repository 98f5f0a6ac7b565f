using System.Numerics;

namespace Perplex.Models;

/// <summary>Creates the model a <see cref="LanguageModelConfig"/> describes.</summary>
public static class LanguageModels
{
    /// <summary>A freshly initialised model of <paramref name="config"/>'s kind, seeded by <paramref name="seed"/>.</summary>
    public static NeuralLanguageModel<T> Create<T>(LanguageModelConfig config, ulong seed = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
        => config.IsRecurrent ? new RecurrentLanguageModel<T>(config, seed) : new WindowLanguageModel<T>(config, seed);
}
