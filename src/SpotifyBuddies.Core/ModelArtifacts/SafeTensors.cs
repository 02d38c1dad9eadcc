using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SpotifyBuddies.Core.ModelArtifacts;

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
/// (<c>{"name": {"dtype": "F32", "shape": [rows, cols], "data_offsets": [begin, end]}, …, "__metadata__": {…}}</c>,
/// padded with spaces to a multiple of 8), then the tensors' bytes, little-endian, row-major, back to back.
/// Python reads our files with <c>safetensors.numpy.load_file</c> (or <c>torch.load</c>-free tools); we need no TorchSharp.
/// </summary>
public static class SafeTensors
{
    /// <summary>Largest header accepted when reading (the reference implementation's limit).</summary>
    public const int MaxHeaderBytes = 100_000_000;

    /// <summary>Writes the tensors, in the given order, to <paramref name="path"/> (temp file + rename).</summary>
    public static void Write(string path, IReadOnlyList<TensorData> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var temp = path + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Write(stream, tensors, metadata);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Writes the tensors to a stream.</summary>
    public static void Write(Stream stream, IReadOnlyList<TensorData> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (key, value) in metadata)
            {
                meta[key] = value;
            }

            header["__metadata__"] = meta;
        }

        long offset = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            if (!names.Add(tensor.Name) || tensor.Name == "__metadata__")
            {
                throw new ArgumentException($"Tensor name '{tensor.Name}' is duplicated or reserved.", nameof(tensors));
            }

            var length = tensor.Bytes.Length;
            header[tensor.Name] = new JsonObject
            {
                ["dtype"] = DTypeName(tensor.DType),
                ["shape"] = new JsonArray([.. tensor.Shape.Select(d => (JsonNode)d)]),
                ["data_offsets"] = new JsonArray(offset, offset + length),
            };
            offset += length;
        }

        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8;
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)padded);
        stream.Write(prefix);
        stream.Write(json);
        for (var i = json.Length; i < padded; i++)
        {
            stream.WriteByte((byte)' ');
        }

        foreach (var tensor in tensors)
        {
            stream.Write(tensor.Bytes.Span);
        }
    }

    /// <summary>Reads a whole file.</summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors; the message says what is wrong.</exception>
    public static SafeTensorsFile Read(string path)
    {
        using var stream = File.OpenRead(path);
        try
        {
            return Read(stream);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Reads from a stream (positioned at the file's start).</summary>
    public static SafeTensorsFile Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(stream, prefix, "the 8-byte header length");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
        {
            throw new InvalidDataException($"header length {headerLength} exceeds {MaxHeaderBytes} bytes (not a safetensors file?)");
        }

        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, "the JSON header");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(headerBytes) as JsonObject
                ?? throw new InvalidDataException("the header is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"the header is not valid JSON: {ex.Message}", ex);
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<(string Name, TensorDType DType, long[] Shape, long Begin, long End)>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (key, value) in node as JsonObject ?? throw new InvalidDataException("__metadata__ is not an object"))
                {
                    metadata[key] = value?.GetValue<string>() ?? throw new InvalidDataException($"__metadata__.{key} is not a string");
                }

                continue;
            }

            entries.Add(ParseEntry(name, node));
        }

        entries.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        long expected = 0;
        var tensors = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach (var (name, dtype, shape, begin, end) in entries)
        {
            if (begin != expected)
            {
                throw new InvalidDataException($"tensor '{name}' starts at byte {begin}, expected {expected} (gaps or overlaps are not allowed)");
            }

            var elements = shape.Aggregate(1L, (a, d) => checked(a * d));
            if (end - begin != elements * ElementSize(dtype))
            {
                throw new InvalidDataException($"tensor '{name}': {end - begin} bytes for shape [{string.Join(", ", shape)}] of {DTypeName(dtype)}");
            }

            var bytes = new byte[end - begin];
            ReadExactly(stream, bytes, $"the data of tensor '{name}'");
            tensors[name] = new TensorData(name, dtype, shape, bytes);
            expected = end;
        }

        return new SafeTensorsFile(tensors, metadata, [.. entries.Select(e => e.Name)]);
    }

    private static (string, TensorDType, long[], long, long) ParseEntry(string name, JsonNode? node)
    {
        if (node is not JsonObject entry)
        {
            throw new InvalidDataException($"tensor '{name}' is not an object");
        }

        var dtypeName = entry["dtype"]?.GetValue<string>() ?? throw new InvalidDataException($"tensor '{name}' has no dtype");
        var dtype = dtypeName switch
        {
            "F32" => TensorDType.F32,
            "F64" => TensorDType.F64,
            "I32" => TensorDType.I32,
            "I64" => TensorDType.I64,
            _ => throw new InvalidDataException($"tensor '{name}': dtype '{dtypeName}' is not supported (F32, F64, I32, I64)"),
        };
        var shape = (entry["shape"] as JsonArray ?? throw new InvalidDataException($"tensor '{name}' has no shape"))
            .Select(d => d?.GetValue<long>() ?? -1).ToArray();
        if (shape.Any(d => d < 0))
        {
            throw new InvalidDataException($"tensor '{name}' has a negative dimension");
        }

        var offsets = entry["data_offsets"] as JsonArray;
        if (offsets is not { Count: 2 })
        {
            throw new InvalidDataException($"tensor '{name}' needs data_offsets [begin, end]");
        }

        var begin = offsets[0]!.GetValue<long>();
        var end = offsets[1]!.GetValue<long>();
        if (begin < 0 || end < begin)
        {
            throw new InvalidDataException($"tensor '{name}' has invalid data_offsets [{begin}, {end}]");
        }

        return (name, dtype, shape, begin, end);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string what)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"the file ends inside {what} (truncated)", ex);
        }
    }

    public static string DTypeName(TensorDType dtype) => dtype switch
    {
        TensorDType.F32 => "F32",
        TensorDType.F64 => "F64",
        TensorDType.I32 => "I32",
        TensorDType.I64 => "I64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    public static int ElementSize(TensorDType dtype) => dtype is TensorDType.F64 or TensorDType.I64 ? 8 : 4;
}

public enum TensorDType
{
    F32,
    F64,
    I32,
    I64,
}

/// <summary>One tensor: name, element type, shape and little-endian bytes.</summary>
public sealed record TensorData(string Name, TensorDType DType, IReadOnlyList<long> Shape, ReadOnlyMemory<byte> Bytes)
{
    public static TensorData FromFloats(string name, ReadOnlySpan<float> values, params long[] shape) =>
        new(name, TensorDType.F32, Checked(shape, values.Length), AsBytes(values));

    public static TensorData FromInt64s(string name, ReadOnlySpan<long> values, params long[] shape) =>
        new(name, TensorDType.I64, Checked(shape, values.Length), AsBytes(values));

    public static TensorData FromInt32s(string name, ReadOnlySpan<int> values, params long[] shape) =>
        new(name, TensorDType.I32, Checked(shape, values.Length), AsBytes(values));

    /// <summary>The values as float (dtype must be F32).</summary>
    public float[] ToFloat32() => To<float>(TensorDType.F32);

    public long[] ToInt64() => To<long>(TensorDType.I64);

    public int[] ToInt32() => To<int>(TensorDType.I32);

    private T[] To<T>(TensorDType expected)
        where T : struct
    {
        if (DType != expected)
        {
            throw new InvalidDataException($"tensor '{Name}' is {SafeTensors.DTypeName(DType)}, not {SafeTensors.DTypeName(expected)}");
        }

        EnsureLittleEndian();
        return MemoryMarshal.Cast<byte, T>(Bytes.Span).ToArray();
    }

    private static long[] Checked(long[] shape, int length)
    {
        if (shape.Aggregate(1L, (a, d) => a * d) != length)
        {
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] does not hold {length} values", nameof(shape));
        }

        return shape;
    }

    /// <summary>One copy of the values' bytes (the caller may change its array afterwards).</summary>
    private static ReadOnlyMemory<byte> AsBytes<T>(ReadOnlySpan<T> values)
        where T : struct
    {
        EnsureLittleEndian();
        return MemoryMarshal.AsBytes(values).ToArray();
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors I/O is implemented for little-endian machines only.");
        }
    }
}

/// <summary>A read file: tensors by name (in file order in <see cref="Names"/>) and the string metadata.</summary>
public sealed record SafeTensorsFile(
    IReadOnlyDictionary<string, TensorData> Tensors,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<string> Names)
{
    /// <exception cref="InvalidDataException">No tensor of that name.</exception>
    public TensorData this[string name] => Tensors.TryGetValue(name, out var tensor)
        ? tensor
        : throw new InvalidDataException($"no tensor '{name}' (has: {string.Join(", ", Names)})");
}
