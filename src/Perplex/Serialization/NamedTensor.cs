using System.Numerics;
using System.Runtime.InteropServices;
using Perplex.Tensors;

namespace Perplex.Serialization;

/// <summary>A tensor to be written to a safetensors file under a name.</summary>
public sealed class NamedTensor
{
    private readonly Array _data;

    private NamedTensor(string name, SafetensorsDType dtype, int[] shape, Array data)
    {
        Name = name;
        DType = dtype;
        Shape = (int[])shape.Clone();
        _data = data;
    }

    /// <summary>The name the tensor is stored under.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public SafetensorsDType DType { get; }

    /// <summary>The dimensions.</summary>
    public int[] Shape { get; }

    /// <summary>Number of bytes of raw data.</summary>
    public long ByteLength => (long)_data.Length * SafetensorsDTypes.Size(DType);

    /// <summary>Wraps a float or double tensor (no copy: write it before changing the tensor).</summary>
    public static NamedTensor From<T>(string name, Tensor<T> tensor) where T : unmanaged, IFloatingPointIeee754<T>
        => new(name, SafetensorsDTypes.Of<T>(), tensor.Shape, tensor.Data);

    /// <summary>Wraps a one-dimensional float or double array (no copy).</summary>
    public static NamedTensor From<T>(string name, T[] data) where T : unmanaged, IFloatingPointIeee754<T>
        => new(name, SafetensorsDTypes.Of<T>(), [data.Length], data);

    /// <summary>The raw little-endian bytes of the elements.</summary>
    internal ReadOnlySpan<byte> Bytes => DType == SafetensorsDType.F32
        ? MemoryMarshal.AsBytes(((float[])_data).AsSpan())
        : MemoryMarshal.AsBytes(((double[])_data).AsSpan());
}
