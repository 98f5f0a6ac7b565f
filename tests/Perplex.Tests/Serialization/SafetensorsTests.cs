using System.Buffers.Binary;
using System.Text;
using Perplex.Serialization;
using Perplex.Tensors;
using Xunit;

namespace Perplex.Tests.Serialization;

public sealed class SafetensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("perplex-st-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>Builds a file byte by byte from the format description, independently of our writer.</summary>
    private static byte[] HandMade(string headerJson, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    private static byte[] Floats(params float[] values) =>
        values.SelectMany(v => { var b = new byte[4]; BinaryPrimitives.WriteSingleLittleEndian(b, v); return b; }).ToArray();

    [Fact]
    public void WriterFollowsTheLayoutOfTheFormat()
    {
        var a = new Tensor<float>([1f, -2.5f, 3.25f, 0f, 1e-30f, -7f], 2, 3);
        var b = new Tensor<double>([Math.PI, -0.1], 2);
        var path = PathOf("x.safetensors");
        SafetensorsWriter.WriteFile(path, [NamedTensor.From("w.a", a), NamedTensor.From("b", b)],
            new Dictionary<string, string> { ["k"] = "값 \"quoted\"" });

        var bytes = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + n) % 8);
        var header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.EndsWith("}", header.TrimEnd(' '));
        Assert.True(header.Length - header.TrimEnd(' ').Length < 8, "padding is shorter than the alignment");
        using var doc = System.Text.Json.JsonDocument.Parse(header);
        Assert.Equal("값 \"quoted\"", doc.RootElement.GetProperty("__metadata__").GetProperty("k").GetString());
        var wa = doc.RootElement.GetProperty("w.a");
        Assert.Equal("F32", wa.GetProperty("dtype").GetString());
        Assert.Equal([2, 3], wa.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var offsetsA = wa.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var offsetsB = doc.RootElement.GetProperty("b").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal("F64", doc.RootElement.GetProperty("b").GetProperty("dtype").GetString());
        Assert.Equal(24, offsetsA[1] - offsetsA[0]);
        Assert.Equal(16, offsetsB[1] - offsetsB[0]);
        Assert.Equal(bytes.Length, 8 + n + 40);
        long dataStart = 8 + n;
        for (int i = 0; i < 6; i++)
            Assert.Equal(a.Data[i], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)(dataStart + offsetsA[0] + 4 * i))));
        Assert.Equal(Math.PI, BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan((int)(dataStart + offsetsB[0]))));
    }

    [Fact]
    public void RoundTripsTensorsAndMetadata()
    {
        var a = new Tensor<float>([1f, float.Epsilon, float.MaxValue, -0f], 4);
        var b = new Tensor<double>([1.0 / 3, 2, 3, 4, 5, 6], 3, 2);
        var path = PathOf("r.safetensors");
        SafetensorsWriter.WriteFile(path, [NamedTensor.From("a", a), NamedTensor.From("b", b)],
            new Dictionary<string, string> { ["x"] = "1", ["y"] = "{\"json\": [1,2]}" });
        using var reader = SafetensorsReader.Open(path);
        Assert.Equal("{\"json\": [1,2]}", reader.Metadata["y"]);
        Assert.Equal(a.Data, reader.Read<float>("a").Data);
        var b2 = reader.Read<double>("b");
        Assert.Equal([3, 2], b2.Shape);
        Assert.Equal(b.Data, b2.Data);
    }

    [Fact]
    public void ReadsAFileWrittenByHandInAnotherKeyOrder()
    {
        var json = "{\"__metadata__\":{\"format\":\"pt\"},\"z\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]},"
                   + "\"y\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}}   ";
        var path = PathOf("hand.safetensors");
        File.WriteAllBytes(path, HandMade(json, Floats(5f, 6f, 7f)));
        using var reader = SafetensorsReader.Open(path);
        Assert.Equal("pt", reader.Metadata["format"]);
        Assert.Equal([5f, 6f], reader.Read<float>("y").Data);
        Assert.Equal([7f], reader.Read<float>("z").Data);
        Assert.Equal(["y", "z"], reader.Entries.Select(e => e.Name));
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]", "invalid JSON")]
    [InlineData("[1,2]", "not an object")]
    [InlineData("{\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", "BF16 is not supported")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "needs 12")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "ends at data byte 16")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "expected 0")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "4 bytes after the last tensor")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,8]}}", "non-negative integers")]
    [InlineData("{\"__metadata__\":{\"k\":1},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "not a string")]
    public void RejectsCorruptHeadersWithAClearMessage(string json, string expected)
    {
        var path = PathOf("bad.safetensors");
        File.WriteAllBytes(path, HandMade(json, Floats(1f, 2f)));
        var ex = Assert.Throws<PerplexException>(() => SafetensorsReader.Open(path).Dispose());
        Assert.Contains(expected, ex.Message);
        Assert.Equal(path, ex.FilePath);
    }

    [Fact]
    public void RejectsTruncatedFiles()
    {
        var path = PathOf("t.safetensors");
        SafetensorsWriter.WriteFile(path, [NamedTensor.From("a", new Tensor<float>(10))]);
        var full = File.ReadAllBytes(path);
        foreach (var length in new[] { 0, 5, 8, 20, full.Length - 1 })
        {
            File.WriteAllBytes(path, full[..length]);
            var ex = Assert.Throws<PerplexException>(() => SafetensorsReader.Open(path).Dispose());
            Assert.True(ex.Message.Contains("truncated") || ex.Message.Contains("not a safetensors file"), ex.Message);
        }
    }

    [Fact]
    public void ReadIntoChecksDTypeShapeAndPresence()
    {
        var path = PathOf("c.safetensors");
        SafetensorsWriter.WriteFile(path, [NamedTensor.From("a", new Tensor<float>(2, 3))]);
        using var reader = SafetensorsReader.Open(path);
        Assert.Contains("shape [2, 3] but the model expects [3, 2]",
            Assert.Throws<PerplexException>(() => reader.ReadInto("a", new Tensor<float>(3, 2))).Message);
        Assert.Contains("is F32 but F64 was expected",
            Assert.Throws<PerplexException>(() => reader.ReadInto("a", new Tensor<double>(2, 3))).Message);
        Assert.Contains("'b' is missing", Assert.Throws<PerplexException>(() => reader.Read<float>("b")).Message);
    }

    [Fact]
    public void AtomicWriteReplacesTheFileAndLeavesNoTemporaries()
    {
        var path = PathOf("m.safetensors");
        SafetensorsWriter.WriteFile(path, [NamedTensor.From("a", new Tensor<float>([1f], 1))]);
        SafetensorsWriter.WriteFile(path, [NamedTensor.From("a", new Tensor<float>([2f], 1))]);
        using (var reader = SafetensorsReader.Open(path))
            Assert.Equal([2f], reader.Read<float>("a").Data);
        Assert.Equal(["m.safetensors"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void ModelFileChecksKindAndVersion()
    {
        var path = PathOf("v.safetensors");
        var meta = ModelFile.BaseMetadata(ModelFile.ModelKind, "{}", "{}");
        meta[ModelFile.VersionKey] = "99";
        SafetensorsWriter.WriteFile(path, [], meta);
        Assert.Contains("format version 99 is not supported",
            Assert.Throws<PerplexException>(() => ModelFile.Open(path, ModelFile.ModelKind)).Message);

        SafetensorsWriter.WriteFile(path, [], new Dictionary<string, string> { ["format"] = "pt" });
        Assert.Contains("not a Perplex model file",
            Assert.Throws<PerplexException>(() => ModelFile.Open(path, ModelFile.ModelKind)).Message);

        SafetensorsWriter.WriteFile(path, [], ModelFile.BaseMetadata(ModelFile.ModelKind, "{}", "{}"));
        Assert.Contains("checkpoint file was expected",
            Assert.Throws<PerplexException>(() => ModelFile.Open(path, ModelFile.CheckpointKind)).Message);
        ModelFile.Open(path, ModelFile.ModelKind).Dispose();
    }
}
