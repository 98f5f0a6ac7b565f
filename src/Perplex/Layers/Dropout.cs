using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Layers;

/// <summary>
/// Inverted dropout as PyTorch's <c>nn.Dropout</c>: in training each element is zeroed with probability p and
/// the survivors are scaled by 1/(1−p), so evaluation is the identity. y = x ⊙ m, dx = dy ⊙ m.
/// The mask m comes from a <see cref="SeededRandom"/> (deterministic, checkpointable) or is supplied with
/// <see cref="UseFixedMask"/> for tests.
/// </summary>
/// <typeparam name="T">float for training, double for exact checks.</typeparam>
public sealed class Dropout<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] _mask = [];
    private bool _fixedMask;
    private bool _lastWasActive;

    /// <summary>Creates dropout with probability <paramref name="p"/> in [0, 1) drawing masks from <paramref name="random"/>.</summary>
    public Dropout(double p, SeededRandom random)
    {
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1)");
        P = p;
        Random = random;
    }

    /// <summary>The probability of zeroing an element.</summary>
    public double P { get; }

    /// <summary>The source of masks.</summary>
    public SeededRandom Random { get; }

    /// <summary>
    /// Uses <paramref name="mask"/> (each value 0 or 1/(1−p), or any multiplier a test wants) for every following
    /// training Forward instead of drawing a new one.
    /// </summary>
    public void UseFixedMask(ReadOnlySpan<T> mask)
    {
        _mask = mask.ToArray();
        _fixedMask = true;
    }

    /// <summary>y = x ⊙ m in training (fresh m per call), y = x otherwise; <paramref name="output"/> may alias <paramref name="input"/>.</summary>
    public void Forward(ReadOnlySpan<T> input, Span<T> output, bool training)
    {
        _lastWasActive = training && (P > 0 || _fixedMask);
        if (!_lastWasActive)
        {
            input.CopyTo(output);
            return;
        }
        if (_fixedMask)
        {
            if (_mask.Length < input.Length) throw new InvalidOperationException($"fixed dropout mask has {_mask.Length} elements, input has {input.Length}");
        }
        else
        {
            var mask = Workspace.Ensure(ref _mask, input.Length);
            T keep = T.CreateTruncating(1 / (1 - P));
            // each 64-bit draw decides two elements: drop when a 32-bit half is below p·2³²
            ulong threshold = (ulong)Math.Round(P * 4294967296.0);
            for (int i = 0; i < mask.Length; i += 2)
            {
                ulong bits = Random.NextUInt64();
                mask[i] = (bits & 0xFFFFFFFFUL) < threshold ? T.Zero : keep;
                if (i + 1 < mask.Length) mask[i + 1] = (bits >> 32) < threshold ? T.Zero : keep;
            }
        }
        TP.Multiply(input, _mask.AsSpan(0, input.Length), output);
    }

    /// <summary>dx = dy ⊙ m with the mask of the last Forward; <paramref name="dInput"/> may alias <paramref name="dOutput"/>.</summary>
    public void Backward(ReadOnlySpan<T> dOutput, Span<T> dInput)
    {
        if (!_lastWasActive)
            dOutput.CopyTo(dInput);
        else
            TP.Multiply(dOutput, _mask.AsSpan(0, dOutput.Length), dInput);
    }

    /// <summary>True when the last Forward applied a mask (training with p &gt; 0).</summary>
    public bool LastWasActive => _lastWasActive;
}
