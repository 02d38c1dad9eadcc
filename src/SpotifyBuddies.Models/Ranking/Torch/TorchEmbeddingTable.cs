using TorchSharp;
using static TorchSharp.torch;

namespace SpotifyBuddies.Models.Ranking.Torch;

/// <summary>
/// One embedding table (users or playlists) as a float32 rows × d tensor on the trainer's device, with its optimizer
/// slots (same shape). Owns its tensors; they live outside every per-batch dispose scope.
/// </summary>
internal sealed class TorchEmbeddingTable : IDisposable
{
    private TorchEmbeddingTable(string name, int rows, int dimensions, Tensor weights, Tensor[] slots)
    {
        Name = name;
        Rows = rows;
        Dimensions = dimensions;
        Weights = weights;
        Slots = slots;
    }

    /// <summary><c>user</c> or <c>playlist</c>: the prefix of its slot names.</summary>
    public string Name { get; }

    public int Rows { get; }

    public int Dimensions { get; }

    public Tensor Weights { get; }

    /// <summary>In the order of <see cref="TorchRowOptimizer.SlotSuffixes"/>.</summary>
    public IReadOnlyList<Tensor> Slots { get; }

    /// <summary>Copies <paramref name="weights"/> and the named slots of <paramref name="slots"/> to <paramref name="device"/>.</summary>
    public static TorchEmbeddingTable Create(
        string name, int rows, int dimensions, float[] weights, IReadOnlyDictionary<string, float[]> slots, IReadOnlyList<string> slotSuffixes, Device device)
    {
        var tensors = new List<Tensor>();
        try
        {
            var table = ToDevice(weights, rows, dimensions, device);
            tensors.Add(table);
            foreach (var suffix in slotSuffixes)
            {
                tensors.Add(ToDevice(slots[SlotName(name, suffix)], rows, dimensions, device));
            }

            return new TorchEmbeddingTable(name, rows, dimensions, table, [.. tensors.Skip(1)]);
        }
        catch
        {
            tensors.ForEach(t => t.Dispose());
            throw;
        }
    }

    public static string SlotName(string table, string suffix) => $"{table}_{suffix}";

    /// <summary>A copy of the weights, row-major.</summary>
    public float[] WeightsToArray() => ToArray(Weights);

    /// <summary>Copies of the slots, by full slot name.</summary>
    public IEnumerable<KeyValuePair<string, float[]>> SlotsToArrays(IReadOnlyList<string> slotSuffixes) =>
        slotSuffixes.Select((suffix, i) => KeyValuePair.Create(SlotName(Name, suffix), ToArray(Slots[i])));

    public void Dispose()
    {
        Weights.Dispose();
        foreach (var slot in Slots)
        {
            slot.Dispose();
        }
    }

    private static Tensor ToDevice(float[] values, int rows, int dimensions, Device device)
    {
        // Native memory from libtorch's allocator, not a pinned managed array (torch.tensor(float[]) would keep one).
        var host = empty([rows, dimensions], ScalarType.Float32);
        using (var accessor = host.data<float>())
        {
            accessor.CopyFrom(values, 0, 0);
        }

        if (device.type == DeviceType.CPU)
        {
            return host;
        }

        using (host)
        {
            return host.to(device);
        }
    }

    private static float[] ToArray(Tensor tensor)
    {
        var values = new float[checked((int)tensor.numel())];
        if (tensor.device_type == DeviceType.CPU)
        {
            using var accessor = tensor.data<float>();
            accessor.CopyTo(values, 0, 0);
        }
        else
        {
            using var host = tensor.cpu();
            using var accessor = host.data<float>();
            accessor.CopyTo(values, 0, 0);
        }

        return values;
    }
}
