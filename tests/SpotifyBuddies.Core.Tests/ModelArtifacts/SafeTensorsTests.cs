using System.Buffers.Binary;
using System.Text.Json;
using SpotifyBuddies.Core.ModelArtifacts;

namespace SpotifyBuddies.Core.Tests.ModelArtifacts;

public sealed class SafeTensorsTests
{
    [Fact]
    public void Written_file_is_read_by_an_independent_reference_reader()
    {
        var users = new[] { 1f, -2.5f, 3.25f, 0f, 1e-8f, float.MaxValue };
        var ids = new long[] { 7, -1, long.MaxValue };
        using var stream = new MemoryStream();
        SafeTensors.Write(
            stream,
            [TensorData.FromFloats("user_embeddings", users, 3, 2), TensorData.FromInt64s("ids", ids, 3)],
            new Dictionary<string, string> { ["format"] = "test/v1" });

        var reference = ReferenceRead(stream.ToArray());

        Assert.Equal("test/v1", reference.Metadata["format"]);
        Assert.Equal([3L, 2L], reference.Shapes["user_embeddings"]);
        Assert.Equal("F32", reference.DTypes["user_embeddings"]);
        Assert.Equal(users, reference.Floats["user_embeddings"]);
        Assert.Equal("I64", reference.DTypes["ids"]);
        Assert.Equal(ids, reference.Longs["ids"]);
    }

    [Fact]
    public void Header_is_padded_to_eight_bytes_and_round_trips()
    {
        using var stream = new MemoryStream();
        var values = Enumerable.Range(0, 10).Select(i => (float)i / 3).ToArray();
        SafeTensors.Write(stream, [TensorData.FromFloats("a", values, 5, 2), TensorData.FromInt32s("b", [1, 2, 3], 3)]);
        var bytes = stream.ToArray();
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, headerLength % 8);
        Assert.Equal(8 + (long)headerLength + (10 * 4) + (3 * 4), bytes.Length);

        stream.Position = 0;
        var file = SafeTensors.Read(stream);
        Assert.Equal(["a", "b"], file.Names);
        Assert.Equal(values, file["a"].ToFloat32());
        Assert.Equal([1, 2, 3], file["b"].ToInt32());
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void A_truncated_file_is_reported_as_truncated()
    {
        using var stream = new MemoryStream();
        SafeTensors.Write(stream, [TensorData.FromFloats("a", [1f, 2f, 3f, 4f], 2, 2)]);
        var truncated = stream.ToArray()[..^3];

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(new MemoryStream(truncated)));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.Contains("'a'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inconsistent_headers_are_rejected_with_the_reason()
    {
        Assert.Contains("shape", Assert.Throws<InvalidDataException>(() => Read("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8)).Message, StringComparison.Ordinal);
        Assert.Contains("expected 0", Assert.Throws<InvalidDataException>(() => Read("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8)).Message, StringComparison.Ordinal);
        Assert.Contains("BF16", Assert.Throws<InvalidDataException>(() => Read("""{"a":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}""", 2)).Message, StringComparison.Ordinal);
        Assert.Contains("JSON", Assert.Throws<InvalidDataException>(() => Read("{not json", 0)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_dtype_access_and_missing_tensors_are_clear_errors()
    {
        using var stream = new MemoryStream();
        SafeTensors.Write(stream, [TensorData.FromInt32s("b", [1], 1)]);
        stream.Position = 0;
        var file = SafeTensors.Read(stream);
        Assert.Contains("not F32", Assert.Throws<InvalidDataException>(() => file["b"].ToFloat32()).Message, StringComparison.Ordinal);
        Assert.Contains("has: b", Assert.Throws<InvalidDataException>(() => file["missing"]).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_names_are_refused_when_writing()
    {
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(
            new MemoryStream(),
            [TensorData.FromInt32s("a", [1], 1), TensorData.FromInt32s("a", [2], 1)]));
    }

    private static SafeTensorsFile Read(string header, int dataBytes)
    {
        var json = System.Text.Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        return SafeTensors.Read(new MemoryStream(bytes));
    }

    /// <summary>A reader written from the format description alone, sharing no code with the product.</summary>
    private static (Dictionary<string, string> Metadata, Dictionary<string, long[]> Shapes, Dictionary<string, string> DTypes, Dictionary<string, float[]> Floats, Dictionary<string, long[]> Longs) ReferenceRead(byte[] bytes)
    {
        var n = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        using var header = JsonDocument.Parse(bytes.AsMemory(8, n));
        var dataStart = 8 + n;
        var metadata = new Dictionary<string, string>();
        var shapes = new Dictionary<string, long[]>();
        var dtypes = new Dictionary<string, string>();
        var floats = new Dictionary<string, float[]>();
        var longs = new Dictionary<string, long[]>();
        foreach (var property in header.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                foreach (var m in property.Value.EnumerateObject())
                {
                    metadata[m.Name] = m.Value.GetString()!;
                }

                continue;
            }

            var dtype = property.Value.GetProperty("dtype").GetString()!;
            var begin = property.Value.GetProperty("data_offsets")[0].GetInt32();
            var end = property.Value.GetProperty("data_offsets")[1].GetInt32();
            shapes[property.Name] = [.. property.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())];
            dtypes[property.Name] = dtype;
            var data = bytes.AsSpan(dataStart + begin, end - begin);
            if (dtype == "F32")
            {
                floats[property.Name] = [.. Enumerable.Range(0, data.Length / 4).Select(i => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(dataStart + begin + (4 * i)))))];
            }
            else if (dtype == "I64")
            {
                longs[property.Name] = [.. Enumerable.Range(0, data.Length / 8).Select(i => BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(dataStart + begin + (8 * i))))];
            }
        }

        return (metadata, shapes, dtypes, floats, longs);
    }
}
