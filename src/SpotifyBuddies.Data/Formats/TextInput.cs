using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace SpotifyBuddies.Data.Formats;

/// <summary>Opening and decoding of the line-oriented text inputs, and how their values are shown in errors.</summary>
internal static class TextInput
{
    private const int BufferSize = 64 * 1024;
    private const int MaxShown = 40;

    public static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);

    /// <summary>UTF-8 (a byte order mark is honoured); the caller's stream is left open.</summary>
    public static StreamReader CreateReader(Stream stream) =>
        new(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, BufferSize, leaveOpen: true);

    /// <summary><c>"abc"</c>, shortened, for messages such as <c>expected an integer, found "abc"</c>.</summary>
    public static string Quote(ReadOnlySpan<char> value) =>
        value.Length <= MaxShown ? $"\"{value}\"" : $"\"{value[..MaxShown]}…\"";

    /// <summary>
    /// Parses a non-negative decimal integer (digits only), or says what is wrong with it in words.
    /// </summary>
    public static bool TryParseCount(ReadOnlySpan<char> text, string what, out int value, [NotNullWhen(false)] out string? problem)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            problem = null;
            return true;
        }

        var digits = text.StartsWith('-') ? text[1..] : text;
        var isInteger = !digits.IsEmpty && !digits.ContainsAnyExceptInRange('0', '9');
        problem = text.IsEmpty ? $"{what} is empty; expected a non-negative integer"
            : !isInteger ? $"expected a non-negative integer {what}, found {Quote(text)}"
            : text.StartsWith('-') ? $"{what} must not be negative, found {text}"
            : $"{what} {text} is too large (at most {int.MaxValue})";
        return false;
    }
}
