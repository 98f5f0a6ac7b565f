using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Perplex.Tensors;

namespace Perplex.Serialization;

/// <summary>
/// Reads a safetensors file lazily: opening parses and validates only the header; each tensor's bytes are read
/// straight from the file into its destination array when asked for, so a large model is never held twice.
/// Every defect (truncation, bad JSON, offsets out of range, holes or overlaps, wrong dtype or shape) is reported
/// as a <see cref="PerplexException"/> naming the file.
/// </summary>
public sealed class SafetensorsReader : IDisposable
{
    /// <summary>The reference implementation refuses headers above 100 MB; so do we, before allocating.</summary>
    private const long MaxHeaderBytes = 100_000_000;

    private readonly FileStream _stream;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafetensorsEntry> _entries;

    private SafetensorsReader(string path, FileStream stream, long dataStart,
        Dictionary<string, SafetensorsEntry> entries, Dictionary<string, string> metadata)
    {
        FilePath = path;
        _stream = stream;
        _dataStart = dataStart;
        _entries = entries;
        Metadata = metadata;
    }

    /// <summary>The file being read.</summary>
    public string FilePath { get; }

    /// <summary>The <c>__metadata__</c> string map (empty if the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors described by the header, in data order.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries => _entries.Values.OrderBy(e => e.Begin).ToList();

    /// <summary>Whether a tensor of that name is present.</summary>
    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>The header entry of a tensor; a <see cref="PerplexException"/> if it is missing.</summary>
    public SafetensorsEntry Entry(string name) =>
        _entries.TryGetValue(name, out var e) ? e : throw Error($"tensor '{name}' is missing");

    /// <summary>Opens and validates the header of <paramref name="path"/>.</summary>
    public static SafetensorsReader Open(string path)
    {
        if (!File.Exists(path)) throw new PerplexException("file not found", path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            return Parse(path, stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static SafetensorsReader Parse(string path, FileStream stream)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw new PerplexException($"not a safetensors file: only {fileLength} bytes, shorter than the 8-byte header length", path);
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
            throw new PerplexException($"not a safetensors file: header length {headerLength} is implausible (limit {MaxHeaderBytes})", path);
        if ((long)headerLength > fileLength - 8)
            throw new PerplexException($"truncated safetensors file: header needs {headerLength} bytes but only {fileLength - 8} follow", path);
        var header = new byte[headerLength];
        stream.ReadExactly(header);

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(header);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new PerplexException("bad safetensors header: the JSON is not an object", path);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                    ReadMetadata(path, property.Value, metadata);
                else
                    entries.Add(property.Name, ReadEntry(path, property.Name, property.Value));
            }
        }
        catch (JsonException ex)
        {
            throw new PerplexException($"bad safetensors header: invalid JSON ({ex.Message})", path, inner: ex);
        }
        catch (ArgumentException ex)
        {
            throw new PerplexException($"bad safetensors header: {ex.Message}", path, inner: ex);
        }

        long dataStart = 8 + (long)headerLength;
        CheckLayout(path, entries.Values, fileLength - dataStart);
        return new SafetensorsReader(path, stream, dataStart, entries, metadata);
    }

    private static void ReadMetadata(string path, JsonElement element, Dictionary<string, string> metadata)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new PerplexException("bad safetensors header: __metadata__ is not an object", path);
        foreach (var item in element.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new PerplexException($"bad safetensors header: metadata value '{item.Name}' is not a string", path);
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static SafetensorsEntry ReadEntry(string path, string name, JsonElement element)
    {
        PerplexException Bad(string problem) => new($"bad safetensors header: tensor '{name}': {problem}", path);
        if (element.ValueKind != JsonValueKind.Object) throw Bad("description is not an object");
        if (!element.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Bad("missing dtype");
        var dtypeName = dtypeElement.GetString()!;
        var dtype = SafetensorsDTypes.Parse(dtypeName)
            ?? throw Bad($"dtype {dtypeName} is not supported (Perplex reads F32 and F64)");
        if (!element.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Bad("missing shape");
        var shape = new int[shapeElement.GetArrayLength()];
        int i = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out shape[i]) || shape[i] < 0)
                throw Bad("shape holds something other than non-negative integers");
            i++;
        }
        if (!element.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array
            || offsets.GetArrayLength() != 2)
            throw Bad("data_offsets must be [begin, end]");
        if (!offsets[0].TryGetInt64(out var begin) || !offsets[1].TryGetInt64(out var end) || begin < 0 || end < begin)
            throw Bad("data_offsets must be two non-negative integers with begin <= end");
        var entry = new SafetensorsEntry(name, dtype, shape, begin, end);
        long expected = checked(entry.ElementCount * SafetensorsDTypes.Size(dtype));
        if (end - begin != expected)
            throw Bad($"data_offsets span {end - begin} bytes but {dtypeName} {entry.ShapeText} needs {expected}");
        return entry;
    }

    /// <summary>Tensors must tile the data section exactly: no byte outside it, no overlap, no hole.</summary>
    private static void CheckLayout(string path, IEnumerable<SafetensorsEntry> entries, long dataLength)
    {
        long cursor = 0;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.End > dataLength)
                throw new PerplexException(
                    $"truncated or corrupt safetensors file: tensor '{e.Name}' ends at data byte {e.End} but the data section has only {dataLength} bytes", path);
            if (e.Begin != cursor)
                throw new PerplexException(
                    $"bad safetensors header: tensor '{e.Name}' starts at data byte {e.Begin}, expected {cursor} (overlap or hole)", path);
            cursor = e.End;
        }
        if (cursor != dataLength)
            throw new PerplexException(
                $"bad safetensors file: {dataLength - cursor} bytes after the last tensor are not described by the header", path);
    }

    /// <summary>
    /// Reads tensor <paramref name="name"/> into <paramref name="destination"/>, which must have the stored dtype
    /// and exactly the stored shape.
    /// </summary>
    public void ReadInto<T>(string name, Tensor<T> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var entry = Entry(name);
        var dtype = SafetensorsDTypes.Of<T>();
        if (entry.DType != dtype)
            throw Error($"tensor '{name}' is {SafetensorsDTypes.Name(entry.DType)} but {SafetensorsDTypes.Name(dtype)} was expected");
        if (!entry.Shape.AsSpan().SequenceEqual(destination.Shape))
            throw Error($"tensor '{name}' has shape {entry.ShapeText} but the model expects [{string.Join(", ", destination.Shape)}]");
        ReadBytes(entry, MemoryMarshal.AsBytes(destination.Data.AsSpan()));
    }

    /// <summary>Reads tensor <paramref name="name"/> into a new tensor of its stored shape.</summary>
    public Tensor<T> Read<T>(string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tensor = new Tensor<T>(Entry(name).Shape);
        ReadInto(name, tensor);
        return tensor;
    }

    private void ReadBytes(SafetensorsEntry entry, Span<byte> destination)
    {
        _stream.Position = _dataStart + entry.Begin;
        try
        {
            _stream.ReadExactly(destination);
        }
        catch (EndOfStreamException ex)
        {
            throw new PerplexException($"truncated safetensors file while reading tensor '{entry.Name}'", FilePath, inner: ex);
        }
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors reading needs a little-endian machine");
    }

    /// <summary>A metadata value; a <see cref="PerplexException"/> naming the key if it is missing.</summary>
    public string RequireMetadata(string key) =>
        Metadata.TryGetValue(key, out var value) ? value : throw Error($"metadata key '{key}' is missing");

    private PerplexException Error(string problem) => new(problem, FilePath);

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
