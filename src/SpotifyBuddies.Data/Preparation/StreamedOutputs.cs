using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Data.Datasets;

namespace SpotifyBuddies.Data.Preparation;

/// <summary>
/// The outputs of the negatives phase, written block by block in user order: <c>triplets.parquet</c>, the
/// triplet shuffle buckets, and the validation and test batches as Parquet and raw int32.
/// </summary>
internal sealed class StreamedOutputs : IAsyncDisposable
{
    private readonly ParquetTableWriter _triplets;
    private readonly EvaluationWriter _validation;
    private readonly EvaluationWriter _test;

    private StreamedOutputs(ParquetTableWriter triplets, EvaluationWriter validation, EvaluationWriter test, TripletShuffle shuffle)
    {
        _triplets = triplets;
        _validation = validation;
        _test = test;
        Shuffle = shuffle;
    }

    public TripletShuffle Shuffle { get; }

    public long TripletRows => _triplets.RowsWritten;

    public static async Task<StreamedOutputs> CreateAsync(
        string directory, int width, int buckets, bool bucketsInMemory, CancellationToken cancellationToken)
    {
        var triplets = await ParquetTableWriter.CreateAsync(
            Path.Combine(directory, PreparedDatasetLayout.Triplets), PreparedDatasetLayout.TripletColumns, cancellationToken: cancellationToken);
        var validation = await EvaluationWriter.CreateAsync(
            directory, PreparedDatasetLayout.ValidationBatches, PreparedDatasetLayout.ValidationBatchesRaw, width, cancellationToken);
        var test = await EvaluationWriter.CreateAsync(
            directory, PreparedDatasetLayout.TestBatches, PreparedDatasetLayout.TestBatchesRaw, width, cancellationToken);
        var shuffle = new TripletShuffle(Path.Combine(directory, "_shuffle"), buckets, bucketsInMemory);
        return new StreamedOutputs(triplets, validation, test, shuffle);
    }

    /// <summary>Appends consecutive blocks, in order; the three files are written concurrently.</summary>
    public Task WriteBlocksAsync(IReadOnlyList<BlockOutput> outputs, CancellationToken cancellationToken) =>
        Task.WhenAll(
            Task.Run(() => WriteTripletsAsync(outputs, cancellationToken), cancellationToken),
            Task.Run(() => _validation.WriteAsync(outputs, o => o.Validation, cancellationToken), cancellationToken),
            Task.Run(() => _test.WriteAsync(outputs, o => o.Test, cancellationToken), cancellationToken));

    private async Task WriteTripletsAsync(IReadOnlyList<BlockOutput> outputs, CancellationToken cancellationToken)
    {
        var (user, positive, negative) = (_triplets.Ints(0), _triplets.Ints(1), _triplets.Ints(2));
        foreach (var output in outputs)
        {
            var triplets = output.Triplets;
            for (var i = 0; i < triplets.Count; i++)
            {
                var triplet = triplets[i];
                user.Add(triplet.User.Value);
                positive.Add(triplet.Positive.Value);
                negative.Add(triplet.Negative.Value);
                Shuffle.Add(output.Buckets[i], triplet);
                await _triplets.FlushIfFullAsync(cancellationToken);
            }
        }
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await _triplets.CompleteAsync(cancellationToken);
        await _validation.CompleteAsync(cancellationToken);
        await _test.CompleteAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _triplets.DisposeAsync();
        await _validation.DisposeAsync();
        await _test.DisposeAsync();
        Shuffle.Dispose();
    }

    /// <summary>
    /// One evaluation file pair: Parquet (user_idx, pos_playlist_idx, neg_0…) and the same rows as raw int32. Rows
    /// are staged row-major for a whole row group, which goes to the raw file in one write and into the Parquet
    /// columns by strided copies.
    /// </summary>
    private sealed class EvaluationWriter : IAsyncDisposable
    {
        private readonly ParquetTableWriter _table;
        private readonly RawInt32Writer _raw;
        private readonly ColumnBuffer<int>[] _columns;
        private readonly int _width;
        private readonly int _rowsPerGroup;
        private readonly int[] _staged;
        private int _stagedRows;

        private EvaluationWriter(ParquetTableWriter table, RawInt32Writer raw, int columns, int rowsPerGroup)
        {
            _table = table;
            _raw = raw;
            _width = columns;
            _rowsPerGroup = rowsPerGroup;
            _columns = new ColumnBuffer<int>[columns];
            for (var i = 0; i < columns; i++)
            {
                _columns[i] = table.Ints(i);
            }

            _staged = new int[rowsPerGroup * columns];
        }

        public static async Task<EvaluationWriter> CreateAsync(string directory, string name, string rawName, int width, CancellationToken cancellationToken)
        {
            // Wide rows: row groups of about 4M values (16 MiB staged) instead of 1M rows.
            var columns = width + 2;
            var rowsPerGroup = Math.Max(4096, (4 << 20) / columns);
            var table = await ParquetTableWriter.CreateAsync(
                Path.Combine(directory, name), PreparedDatasetLayout.EvaluationColumns(width), rowsPerGroup, cancellationToken);
            return new EvaluationWriter(table, new RawInt32Writer(Path.Combine(directory, rawName), columns), columns, rowsPerGroup);
        }

        public async Task WriteAsync(IReadOnlyList<BlockOutput> outputs, Func<BlockOutput, List<EvaluationBatch>> rowsOf, CancellationToken cancellationToken)
        {
            foreach (var output in outputs)
            {
                foreach (var row in rowsOf(output))
                {
                    var staged = _staged.AsSpan(_stagedRows * _width, _width);
                    staged[0] = row.User.Value;
                    staged[1] = row.Positive.Value;
                    var negatives = row.Negatives;
                    for (var i = 2; i < staged.Length; i++)
                    {
                        staged[i] = i - 2 < negatives.Length ? negatives[i - 2].Value : PreparedDatasetLayout.MissingNegative;
                    }

                    if (++_stagedRows == _rowsPerGroup)
                    {
                        await FlushAsync(cancellationToken);
                    }
                }
            }
        }

        public async Task CompleteAsync(CancellationToken cancellationToken)
        {
            await FlushAsync(cancellationToken);
            await _table.CompleteAsync(cancellationToken);
            _raw.Complete();
        }

        public async ValueTask DisposeAsync()
        {
            await _table.DisposeAsync();
            _raw.Dispose();
        }

        private async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_stagedRows == 0)
            {
                return;
            }

            var block = _staged.AsSpan(0, _stagedRows * _width);
            _raw.Write(block);
            for (var c = 0; c < _width; c++)
            {
                _columns[c].AddStrided(block, c, _width, _stagedRows);
            }

            _stagedRows = 0;
            await _table.FlushAsync(cancellationToken);
        }
    }
}
