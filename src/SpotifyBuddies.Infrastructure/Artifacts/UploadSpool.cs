using System.Buffers;
using System.Security.Cryptography;

namespace SpotifyBuddies.Infrastructure.Artifacts;

/// <summary>
/// A non-seekable stream's content made replayable, with its SHA-256 and length known: in memory up to a limit,
/// beyond it in a temp file that is deleted on dispose. S3 needs the checksum before the upload starts, because
/// user metadata travels with the PUT (or the multipart initiation), not after the body.
/// </summary>
internal sealed class UploadSpool : IAsyncDisposable
{
    private const int BufferSize = 1 << 17;

    private UploadSpool(Stream content, long length, string sha256)
    {
        Content = content;
        Length = length;
        Sha256 = sha256;
    }

    /// <summary>The spooled bytes, positioned at the start.</summary>
    public Stream Content { get; }

    public long Length { get; }

    public string Sha256 { get; }

    public static async Task<UploadSpool> CreateAsync(Stream source, int memoryLimit, string directory, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        Stream target = new MemoryStream();
        try
        {
            long length = 0;
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                if (target is MemoryStream memory && memory.Length + read > memoryLimit)
                {
                    Directory.CreateDirectory(directory);
                    var file = new FileStream(Path.Combine(directory, $"spotifybuddies-upload-{Guid.NewGuid():N}.tmp"),
                        FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
                    target = file;
                    memory.Position = 0;
                    await memory.CopyToAsync(file, cancellationToken);
                    await memory.DisposeAsync();
                }

                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                length += read;
            }

            await target.FlushAsync(cancellationToken);
            target.Position = 0;
            return new UploadSpool(target, length, ContentHash.ToHex(hash.GetHashAndReset()));
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
