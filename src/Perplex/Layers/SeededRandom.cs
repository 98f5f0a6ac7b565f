using System.Numerics;

namespace Perplex.Layers;

/// <summary>
/// A small deterministic random number generator (SplitMix64) whose whole state is one <see cref="ulong"/>,
/// so a training checkpoint can save and restore it and a resumed run draws exactly the same numbers
/// (System.Random cannot be serialised). Used for weight initialisation and dropout masks.
/// </summary>
public sealed class SeededRandom
{
    /// <summary>Creates a generator from a seed; equal seeds give equal sequences on every platform.</summary>
    public SeededRandom(ulong seed) => State = seed;

    /// <summary>The complete generator state; setting it rewinds or fast-forwards the sequence.</summary>
    public ulong State { get; set; }

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        ulong z = State += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="count"/>).</summary>
    public int NextInt(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return (int)(NextDouble() * count);
    }

    /// <summary>Fills <paramref name="values"/> with draws from U(−bound, +bound), PyTorch's default layer initialisation.</summary>
    public void FillUniform<T>(Span<T> values, double bound) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = T.CreateTruncating((2 * NextDouble() - 1) * bound);
    }
}
