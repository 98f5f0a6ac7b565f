namespace Perplex.Serialization;

/// <summary>The element types Perplex reads and writes in safetensors files.</summary>
public enum SafetensorsDType
{
    /// <summary>IEEE 754 single precision, the training type.</summary>
    F32,

    /// <summary>IEEE 754 double precision, used for exact checks.</summary>
    F64,
}

internal static class SafetensorsDTypes
{
    public static int Size(SafetensorsDType dtype) => dtype == SafetensorsDType.F32 ? 4 : 8;

    public static string Name(SafetensorsDType dtype) => dtype == SafetensorsDType.F32 ? "F32" : "F64";

    public static SafetensorsDType? Parse(string name) => name switch
    {
        "F32" => SafetensorsDType.F32,
        "F64" => SafetensorsDType.F64,
        _ => null,
    };

    /// <summary>The dtype of a Perplex element type, or an error for anything but float and double.</summary>
    public static SafetensorsDType Of<T>() =>
        typeof(T) == typeof(float) ? SafetensorsDType.F32
        : typeof(T) == typeof(double) ? SafetensorsDType.F64
        : throw new NotSupportedException($"safetensors element type {typeof(T).Name} is not supported");
}
