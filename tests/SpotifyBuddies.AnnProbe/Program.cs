using System.Globalization;
using SpotifyBuddies.Models.Pairing.Approximate;

// Usage: SpotifyBuddies.AnnProbe INDEX BARRIER K USER...
// Opens INDEX, prints "opened", waits until the file BARRIER exists (so that several probes hold the
// index open at the same moment), then prints one line per USER: "user:neighbour=similarity,..." with
// similarities in round-trip format, and finally "done". Exit codes: 0 ok, 2 error, 3 barrier timeout.
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: SpotifyBuddies.AnnProbe INDEX BARRIER K USER...");
    return 2;
}

try
{
    using var index = AnnIndex.Open(args[0]);
    Console.Out.WriteLine("opened");
    Console.Out.Flush();
    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (!File.Exists(args[1]))
    {
        if (DateTime.UtcNow > deadline)
        {
            Console.Error.WriteLine("timed out waiting for the barrier file");
            return 3;
        }

        Thread.Sleep(10);
    }

    var k = int.Parse(args[2], CultureInfo.InvariantCulture);
    foreach (var user in args.Skip(3).Select(a => int.Parse(a, CultureInfo.InvariantCulture)))
    {
        var hits = index.Search(user, k);
        Console.Out.WriteLine(Format(user, hits));
    }

    Console.Out.WriteLine("done");
    return 0;
}
catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

static string Format(int user, AnnHit[] hits) =>
    string.Create(CultureInfo.InvariantCulture, $"{user}:{string.Join(',', hits.Select(h => string.Create(CultureInfo.InvariantCulture, $"{h.User}={h.Similarity:R}")))}");
