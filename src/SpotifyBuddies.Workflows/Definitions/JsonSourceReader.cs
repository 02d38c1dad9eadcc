using System.Text;
using System.Text.Json;

namespace SpotifyBuddies.Workflows.Definitions;

/// <summary>
/// Reads a JSON document into a <see cref="SourceNode"/> tree with positions (System.Text.Json's reader gives byte
/// offsets; they are turned into 1-based line and character column). Strings are quoted scalars; numbers,
/// <c>true</c>, <c>false</c> and <c>null</c> are plain ones, so they resolve as in YAML.
/// </summary>
internal static class JsonSourceReader
{
    public static SourceNode Read(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var lines = new LineMap(bytes);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read())
            {
                throw new SourceSyntaxException(new SourcePosition(1, 1), "the file is empty");
            }

            var root = ReadNode(ref reader, lines);
            if (reader.Read())
            {
                throw new SourceSyntaxException(lines.At(reader.TokenStartIndex), "unexpected content after the document's end");
            }

            return root;
        }
        catch (JsonException e)
        {
            var position = e.LineNumber is { } line ? new SourcePosition((int)line + 1, (int)(e.BytePositionInLine ?? 0) + 1) : SourcePosition.None;
            throw new SourceSyntaxException(position, TrimPosition(e.Message));
        }
    }

    private static SourceNode ReadNode(ref Utf8JsonReader reader, LineMap lines)
    {
        var position = lines.At(reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var entries = new List<KeyValuePair<SourceScalar, SourceNode>>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = new SourceScalar(reader.GetString()!, true, lines.At(reader.TokenStartIndex));
                    reader.Read();
                    entries.Add(new(key, ReadNode(ref reader, lines)));
                }

                return new SourceMapping(entries, position);
            case JsonTokenType.StartArray:
                var items = new List<SourceNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadNode(ref reader, lines));
                }

                return new SourceSequence(items, position);
            case JsonTokenType.String:
                return new SourceScalar(reader.GetString()!, true, position);
            case JsonTokenType.Number:
                return new SourceScalar(Encoding.UTF8.GetString(reader.ValueSpan), false, position);
            case JsonTokenType.True:
                return new SourceScalar("true", false, position);
            case JsonTokenType.False:
                return new SourceScalar("false", false, position);
            case JsonTokenType.Null:
                return new SourceScalar("null", false, position);
            default:
                throw new SourceSyntaxException(position, $"unexpected {reader.TokenType}");
        }
    }

    /// <summary>System.Text.Json ends its messages with "LineNumber: 2 | BytePositionInLine: 4."; the diagnostic carries the position.</summary>
    private static string TrimPosition(string message)
    {
        var at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return at > 0 ? message[..at].TrimEnd() : message;
    }

    /// <summary>Byte offset → 1-based line and column (in characters).</summary>
    private sealed class LineMap
    {
        private readonly byte[] _bytes;
        private readonly List<int> _lineStarts = [0];

        public LineMap(byte[] bytes)
        {
            _bytes = bytes;
            for (var i = 0; i < bytes.Length; i++)
            {
                if (bytes[i] == (byte)'\n')
                {
                    _lineStarts.Add(i + 1);
                }
            }
        }

        public SourcePosition At(long offset)
        {
            var index = _lineStarts.BinarySearch((int)offset);
            var line = index >= 0 ? index : ~index - 1;
            var start = _lineStarts[line];
            var column = Encoding.UTF8.GetCharCount(_bytes, start, (int)offset - start) + 1;
            return new SourcePosition(line + 1, column);
        }
    }
}
