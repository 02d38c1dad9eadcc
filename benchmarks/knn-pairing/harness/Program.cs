// KNN-pairing benchmark harness (see ../README.md). Runs OUR two engines on a prepared dataset with timings, and
// exports what the Python peer (../peer_knn.py) needs to run on exactly the same data:
//
//   KnnHarness DATASET OUT [K=100] [THREADS=-1] [SAMPLE=1000] [EF=100] [M=16] [EFC=200]
//
// OUT/ gets: csr_offsets.i32, csr_songs.i32 (user x song binary CSR, as the engines see it), exact_{nb.i32,sim.f32,cnt.i32}
// (our exact engine, users x K, -1 padded), vectors.npy (the approximate engine's dense vectors), approx_{nb,sim,cnt}
// (our approximate engine), sample.i32 (sampled query users), dense_exact_nb.i32 (brute force on the vectors for the
// sample, users-in-sample x K), ours.json (timings and recalls).
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using SpotifyBuddies.Models.Pairing;
using SpotifyBuddies.Models.Pairing.Approximate;

var dataset = args[0];
var outDir = args[1];
int Arg(int i, int d) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : d;
var k = Arg(2, 100);
var threads = Arg(3, -1);
var sampleSize = Arg(4, 1000);
var ef = Arg(5, AnnIndexOptions.DefaultEfSearch);
var m = Arg(6, AnnIndexOptions.DefaultM);
var efc = Arg(7, AnnIndexOptions.DefaultEfConstruction);
Directory.CreateDirectory(outDir);
var report = new Dictionary<string, object>();
void Log(string s) => Console.Error.WriteLine($"[harness {DateTime.Now:HH:mm:ss}] {s}");

// --- load (not timed against the peer: both sides get the same CSR matrix) ----------------------------------------
var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dataset, "manifest.json")));
var counts = manifest.RootElement.GetProperty("counts");
var nUsers = counts.GetProperty("users").GetInt32();
var nSongs = counts.GetProperty("songs").GetInt32();
var sw = Stopwatch.StartNew();
var libraries = await UserLibrariesLoader.LoadAsync(dataset, nUsers, nSongs);
report["load_s"] = sw.Elapsed.TotalSeconds;
report["users"] = libraries.Users;
report["songs"] = libraries.Songs;
report["entries"] = libraries.SongIndexes.Length;
report["empty_users"] = Enumerable.Range(0, libraries.Users).Count(u => libraries.Offsets[u + 1] == libraries.Offsets[u]);
report["k"] = k;
report["threads"] = threads == -1 ? Environment.ProcessorCount : threads;
Log($"libraries: {libraries.Users} users, {libraries.Songs} songs, {libraries.SongIndexes.Length} entries ({sw.Elapsed.TotalSeconds:F1}s)");
WriteInts(Path.Combine(outDir, "csr_offsets.i32"), libraries.Offsets);
WriteInts(Path.Combine(outDir, "csr_songs.i32"), libraries.SongIndexes);

// --- our exact engine (what `buddies pair --engine exact` runs): warm-up on a small slice, then the timed run ------
_ = new ExactNeighbourSearch(threads).Search(Slice(libraries, 2000), k);
sw.Restart();
var exact = new ExactNeighbourSearch(threads).Search(libraries, k);
report["exact_search_s"] = sw.Elapsed.TotalSeconds;
Log($"exact engine: {sw.Elapsed.TotalSeconds:F2}s");
WriteLists(outDir, "exact", exact);

// --- our approximate engine, phase by phase (same code path as ApproximateNeighbourSearch, no index file) ---------
var options = new ApproximateSearchOptions { M = m, EfConstruction = efc, EfSearch = ef, MaxDegreeOfParallelism = threads };
sw.Restart();
var vectors = UserVectors.FromLibraries(libraries, options.Dimensions, options.Seed, options.VectorMethod);
var vectorsS = sw.Elapsed.TotalSeconds;
Log($"vectors ({options.VectorMethod}, d={options.Dimensions}): {vectorsS:F2}s, non-empty {vectors.NonEmptyUsers}");
sw.Restart();
using var index = AnnIndexBuilder.Build(vectors, options.ToIndexOptions());
var buildS = sw.Elapsed.TotalSeconds;
Log($"index build M={m} efC={efc}: {buildS:F2}s");
sw.Restart();
var approx = index.SearchAll(k, ef, threads);
var queryS = sw.Elapsed.TotalSeconds;
Log($"query all ef={ef}: {queryS:F2}s");
report["approx_vectors_s"] = vectorsS;
report["approx_build_s"] = buildS;
report["approx_query_s"] = queryS;
report["approx_dimensions"] = options.Dimensions;
report["approx_vector_method"] = options.VectorMethod.ToString();
report["approx_m"] = m;
report["approx_efc"] = efc;
report["approx_ef"] = ef;
report["approx_indexed_users"] = index.IndexedUsers;
vectors.ExportNpy(Path.Combine(outDir, "vectors.npy"));
WriteLists(outDir, "approx", approx);

// --- recall of the approximate engine ----------------------------------------------------------------------------
var rng = new Random(1);
var candidates = Enumerable.Range(0, libraries.Users).Where(u => !vectors.IsEmpty(u)).ToArray();
var sample = candidates.OrderBy(_ => rng.Next()).Take(sampleSize).Order().ToArray();
WriteInts(Path.Combine(outDir, "sample.i32"), sample);
sw.Restart();
var dense = DenseExactSearch.Search(vectors, k, sample, threads);
Log($"dense brute force for {sample.Length} users: {sw.Elapsed.TotalSeconds:F2}s");
var denseRows = new int[sample.Length * k];
for (var i = 0; i < sample.Length; i++)
{
    var row = dense.Of(sample[i]);
    for (var j = 0; j < k; j++) denseRows[i * k + j] = j < row.Length ? row[j] : -1;
}
WriteInts(Path.Combine(outDir, "dense_exact_nb.i32"), denseRows);
report["approx_recall_vs_dense_bruteforce_sample"] = RecallEvaluator.RecallAtK(approx, dense, k);
report["approx_recall_vs_exact_engine_all"] = RecallEvaluator.RecallAtK(approx, exact, k);
report["approx_recall10_vs_exact_engine_all"] = RecallEvaluator.RecallAtK(approx, exact, 10);
// The exact lists restricted to the sample (RecallEvaluator scores every user that has exact neighbours).
var inSample = new bool[libraries.Users];
foreach (var u in sample) inSample[u] = true;
var exactSample = exact with { Counts = exact.Counts.Select((c, u) => inSample[u] ? c : 0).ToArray() };
report["dense_bruteforce_recall_vs_exact_engine_sample"] = RecallEvaluator.RecallAtK(dense, exactSample, k);
report["sample_users"] = sample.Length;
foreach (var (key, value) in report) Log($"{key} = {value}");
File.WriteAllText(Path.Combine(outDir, "ours.json"), JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));

static UserLibraries Slice(UserLibraries lib, int users)
{
    users = Math.Min(users, lib.Users);
    var offsets = lib.Offsets.AsSpan(0, users + 1).ToArray();
    return new UserLibraries(users, lib.Songs, offsets, lib.SongIndexes.AsSpan(0, offsets[^1]).ToArray());
}

static void WriteInts(string path, int[] values) => File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

static void WriteLists(string dir, string name, NeighbourLists lists)
{
    var nb = new int[lists.Neighbours.Length];
    Array.Fill(nb, -1);
    for (var u = 0; u < lists.Users; u++) lists.Of(u).CopyTo(nb.AsSpan(u * lists.K));
    WriteInts(Path.Combine(dir, name + "_nb.i32"), nb);
    File.WriteAllBytes(Path.Combine(dir, name + "_sim.f32"), MemoryMarshal.AsBytes(lists.Similarities.AsSpan()).ToArray());
    WriteInts(Path.Combine(dir, name + "_cnt.i32"), lists.Counts);
}
