using System.Numerics;

namespace Perplex.Models;

/// <summary>
/// The state a language model carries from one call to the next, for B parallel streams: the recurrent
/// states h (and c) [L][B][H], or the window model's last tokens [B][window − 1]. A snapshot: getting and
/// setting copy, so it can be stored (e.g. for generation or checkpoints).
/// </summary>
public sealed class ModelState<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a state for <paramref name="batch"/> streams.</summary>
    public ModelState(int batch, T[] hidden, T[] cell, int[] context)
    {
        Batch = batch;
        Hidden = hidden;
        Cell = cell;
        Context = context;
    }

    /// <summary>Number of streams B.</summary>
    public int Batch { get; }

    /// <summary>Recurrent hidden states [L][B][H] (empty for the window model).</summary>
    public T[] Hidden { get; }

    /// <summary>LSTM cell states [L][B][H] (empty otherwise).</summary>
    public T[] Cell { get; }

    /// <summary>Window model: the previous tokens of each stream [B][window − 1], oldest first (empty otherwise).</summary>
    public int[] Context { get; }

    /// <summary>A deep copy.</summary>
    public ModelState<T> Clone() => new(Batch, (T[])Hidden.Clone(), (T[])Cell.Clone(), (int[])Context.Clone());
}
