using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SpotifyBuddies.Workflows.Definitions;

/// <summary>Reads one YAML document into a <see cref="SourceNode"/> tree, from YamlDotNet's parser events.</summary>
internal static partial class YamlSourceReader
{
    private const string StringTag = "tag:yaml.org,2002:str";

    public static SourceNode Read(string text)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, SourceNode>(StringComparer.Ordinal);
        try
        {
            parser.MoveNext();
            Skip<StreamStart>(parser);
            if (parser.Current is StreamEnd)
            {
                throw new SourceSyntaxException(new SourcePosition(1, 1), "the file is empty");
            }

            Skip<DocumentStart>(parser);
            var root = ReadNode(parser, anchors);
            Skip<DocumentEnd>(parser);
            if (parser.Current is not StreamEnd)
            {
                throw new SourceSyntaxException(At(parser.Current!.Start), "a definition file holds one YAML document, found another");
            }

            return root;
        }
        catch (YamlException e)
        {
            throw new SourceSyntaxException(At(e.Start), CleanMessage(e));
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this (without a position) on some malformed input, e.g. an unclosed '{'.
            var near = parser.Current is { } last ? At(last.Start) : new SourcePosition(1, 1);
            throw new SourceSyntaxException(near, $"invalid YAML after this point (an unclosed '{{' or '[' is a common cause): {e.Message}");
        }
    }

    private static SourceNode ReadNode(Parser parser, Dictionary<string, SourceNode> anchors)
    {
        var current = parser.Current ?? throw new SourceSyntaxException(SourcePosition.None, "unexpected end of file");
        SourceNode node;
        switch (current)
        {
            case AnchorAlias alias:
                parser.MoveNext();
                return anchors.TryGetValue(alias.Value.Value, out var target)
                    ? target
                    : throw new SourceSyntaxException(At(alias.Start), $"unknown alias '*{alias.Value.Value}'");
            case Scalar scalar:
                parser.MoveNext();
                var quoted = scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsEmpty && scalar.Tag.Value == StringTag);
                node = new SourceScalar(scalar.Value, quoted, At(scalar.Start));
                break;
            case SequenceStart start:
                parser.MoveNext();
                var items = new List<SourceNode>();
                while (parser.Current is not SequenceEnd)
                {
                    items.Add(ReadNode(parser, anchors));
                }

                parser.MoveNext();
                node = new SourceSequence(items, At(start.Start));
                break;
            case MappingStart start:
                parser.MoveNext();
                var entries = new List<KeyValuePair<SourceScalar, SourceNode>>();
                while (parser.Current is not MappingEnd)
                {
                    var keyStart = parser.Current!.Start;
                    if (ReadNode(parser, anchors) is not SourceScalar key)
                    {
                        throw new SourceSyntaxException(At(keyStart), "a mapping key must be a scalar");
                    }

                    entries.Add(new(key, ReadNode(parser, anchors)));
                }

                parser.MoveNext();
                node = new SourceMapping(entries, At(start.Start));
                break;
            default:
                throw new SourceSyntaxException(At(current.Start), $"unexpected {current.GetType().Name}");
        }

        if (current is NodeEvent { Anchor.IsEmpty: false } withAnchor)
        {
            anchors[withAnchor.Anchor.Value] = node;
        }

        return node;
    }

    private static void Skip<T>(Parser parser)
        where T : ParsingEvent
    {
        if (parser.Current is not T)
        {
            var found = parser.Current;
            throw new SourceSyntaxException(found is null ? SourcePosition.None : At(found.Start), $"expected {typeof(T).Name}, found {found?.GetType().Name ?? "the end of the file"}");
        }

        parser.MoveNext();
    }

    private static SourcePosition At(Mark mark) => new((int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));

    /// <summary>YamlDotNet prefixes its messages with "(Line: …, Col: …, Idx: …) - (…): "; the diagnostic carries the position already.</summary>
    private static string CleanMessage(YamlException e) => PositionPrefix().Replace(e.Message, "");

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();
}
