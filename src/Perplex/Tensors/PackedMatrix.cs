using System.Numerics;

namespace Perplex.Tensors;

/// <summary>
/// A right-hand matrix op(B) (k×n) copied once into the panel layout the GEMM micro-kernel reads, so that many
/// products against it skip the packing step. This is what makes the per-time-step recurrent GEMM fast:
/// <code>
/// // once per BPTT chunk (after each optimizer step), for h(t)·W_hhᵀ with W_hh stored as PyTorch's [4H, H]:
/// packed.Pack(transpose: true, w_hh.Value.Data, ldb: hidden);          // or PackedMatrix&lt;float&gt;.Create(...) once
/// // every time step:
/// Gemm.Multiply(false, batch, h_prev, hidden, packed, gates, 4 * hidden, accumulate: true);
/// </code>
/// The packed copy does not follow later changes to B: repack after every weight update. Repacking reuses the
/// storage, so nothing is allocated in steady state. An instance may be read by several threads at once but
/// must not be repacked while a product is using it.
/// </summary>
/// <typeparam name="T">float (SIMD-packed) or double; other types keep a plain row-major copy.</typeparam>
public sealed unsafe class PackedMatrix<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly AlignedBuffer<T> storage = new();

    /// <summary>k: rows of op(B), the inner dimension of the products.</summary>
    public int Rows { get; }

    /// <summary>n: columns of op(B), the columns of the products.</summary>
    public int Columns { get; }

    /// <summary>Which kernel the layout was made for.</summary>
    internal GemmPath Path { get; }

    /// <summary>NR: width of one column panel (n itself on the scalar path, where the copy is plain row-major).</summary>
    internal int PanelWidth { get; }

    /// <summary>Start of the packed data: panel q (columns q·NR..) holds rows 0..k−1, each NR wide, zero-padded.</summary>
    internal T* Data => storage.Pointer;

    /// <summary>Allocates room for a k×n op(B); call <see cref="Pack(bool, ReadOnlySpan{T}, int)"/> before multiplying.</summary>
    public PackedMatrix(int rows, int columns) : this(rows, columns, GemmPaths.Best) { }

    internal PackedMatrix(int rows, int columns, GemmPath path)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        Rows = rows;
        Columns = columns;
        Path = Gemm.EffectivePath<T>(path);
        PanelWidth = Path == GemmPath.Scalar ? Math.Max(1, columns) : Gemm.PanelWidth<T>(Path);
        long panels = (columns + PanelWidth - 1) / PanelWidth;
        long length = panels * rows * PanelWidth;
        if (length > Array.MaxLength) throw new ArgumentException($"a packed {rows}×{columns} matrix is too large");
        storage.Ensure((int)Math.Max(1, length));
    }

    /// <summary>
    /// Packs op(B), where B is stored row-major with row stride <paramref name="ldb"/>: B itself is k×n, or n×k
    /// when <paramref name="transpose"/> (e.g. a PyTorch weight [out, in] used as Wᵀ).
    /// </summary>
    public static PackedMatrix<T> Create(bool transpose, int rows, int columns, ReadOnlySpan<T> b, int ldb)
    {
        var packed = new PackedMatrix<T>(rows, columns);
        packed.Pack(transpose, b, ldb);
        return packed;
    }

    /// <summary>Packs (or repacks, reusing the storage) op(B) of this instance's <see cref="Rows"/>×<see cref="Columns"/>.</summary>
    public void Pack(bool transpose, ReadOnlySpan<T> b, int ldb) => Pack(transpose, b, ldb, 0, 1);

    /// <summary>
    /// Packs part <paramref name="part"/> of <paramref name="parts"/> of the column panels of op(B): the parts are
    /// disjoint, so they may run on different threads at once, and together they are <see cref="Pack(bool, ReadOnlySpan{T}, int)"/>.
    /// </summary>
    internal void Pack(bool transpose, ReadOnlySpan<T> b, int ldb, int part, int parts)
    {
        Gemm.CheckOperand(nameof(b), transpose ? Columns : Rows, transpose ? Rows : Columns, b.Length, ldb);
        if (Rows == 0 || Columns == 0) return;
        long started = StepProfile.Start();
        fixed (T* pb = b)
        {
            int panels = (Columns + PanelWidth - 1) / PanelWidth;
            int first = (int)((long)panels * part / parts), end = (int)((long)panels * (part + 1) / parts);
            GemmPacking.PackB(transpose, pb, ldb, Columns, 0, 0, Rows, PanelWidth, first, end, Data, (nint)Rows * PanelWidth);
        }
        StepProfile.Stop(started, false, transpose, 0, Columns, Rows, prepacked: true); // m = 0 marks a packing
    }
}
