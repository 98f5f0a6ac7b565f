namespace Perplex.Serialization;

/// <summary>One tensor as described by a safetensors header: its name, type, shape and byte range in the data section.</summary>
/// <param name="Name">The tensor name (a PyTorch state_dict key for model weights).</param>
/// <param name="DType">The element type.</param>
/// <param name="Shape">The dimensions.</param>
/// <param name="Begin">Offset of the first byte, relative to the start of the data section.</param>
/// <param name="End">Offset one past the last byte, relative to the start of the data section.</param>
public sealed record SafetensorsEntry(string Name, SafetensorsDType DType, int[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (product of the shape).</summary>
    public long ElementCount => Shape.Aggregate(1L, (n, d) => n * d);

    /// <summary>The shape as PyTorch prints it, e.g. <c>[200, 10000]</c>.</summary>
    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}
