using System.Runtime.CompilerServices;

// The native BPR tests run the kernel at every SIMD width this machine accelerates (NativeSimdWidth), not only the widest.
[assembly: InternalsVisibleTo("SpotifyBuddies.Models.Tests")]
