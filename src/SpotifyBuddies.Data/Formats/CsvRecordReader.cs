using System.Text;

namespace SpotifyBuddies.Data.Formats;

/// <summary>
/// An RFC 4180 record reader over a <see cref="TextReader"/>: comma-separated fields, fields in double quotes may
/// hold commas, doubled quotes and line breaks. It keeps one record in memory and knows the 1-based line and column
/// (UTF-16 code units) where each field starts. Line breaks are <c>\n</c>, <c>\r\n</c> or <c>\r</c>; blank lines
/// between records are skipped.
/// </summary>
internal sealed class CsvRecordReader(TextReader reader)
{
    /// <summary>The longest field accepted: beyond it an unclosed quote is the likely cause, and reading stops.</summary>
    public const int MaxFieldLength = 1 << 20;

    private readonly char[] _buffer = new char[16 * 1024];
    private readonly StringBuilder _field = new();
    private int _position;
    private int _length;
    private long _line = 1;
    private long _column = 1;

    public enum Result { Record, Error, End }

    /// <summary>Where the last record read ended (its line break or the end of input).</summary>
    public (long Line, long Column) RecordEnd { get; private set; }

    /// <summary>
    /// Reads the next record into <paramref name="fields"/>. On <see cref="Result.Error"/>, <paramref name="problem"/>
    /// says what is wrong; when it is not fatal the reader has moved on to the next line, otherwise nothing more can
    /// be read.
    /// </summary>
    public Result Read(List<CsvField> fields, out CsvProblem? problem)
    {
        fields.Clear();
        problem = null;
        while (Peek() is '\n' or '\r')
        {
            Next();
        }

        if (Peek() < 0)
        {
            return Result.End;
        }

        while (true)
        {
            var line = _line;
            var column = _column;
            _field.Clear();
            if (Peek() == '"')
            {
                Next();
                if (!ReadQuoted(line, column, out problem))
                {
                    return Result.Error;
                }

                if (Peek() is >= 0 and not (',' or '\n' or '\r'))
                {
                    problem = new CsvProblem(_line, _column, $"unexpected {Describe(Peek())} after the closing quote of a field; a quote inside a quoted field must be doubled (\"\")", Fatal: false);
                    SkipRestOfLine();
                    return Result.Error;
                }
            }
            else if (!ReadUnquoted(out problem))
            {
                return Result.Error;
            }

            fields.Add(new CsvField(_field.ToString(), line, column));
            if (Peek() == ',')
            {
                Next();
                continue;
            }

            RecordEnd = (_line, _column);
            if (Peek() == '\r')
            {
                Next();
            }

            if (Peek() == '\n')
            {
                Next();
            }

            return Result.Record;
        }
    }

    private bool ReadQuoted(long line, long column, out CsvProblem? problem)
    {
        while (true)
        {
            var c = Next();
            if (c < 0)
            {
                problem = new CsvProblem(line, column, "a quoted field is not closed before the end of the file", Fatal: true);
                return false;
            }

            if (c == '"')
            {
                if (Peek() != '"')
                {
                    problem = null;
                    return true;
                }

                Next();
            }

            _field.Append((char)c);
            if (_field.Length > MaxFieldLength)
            {
                problem = new CsvProblem(line, column, $"a quoted field is longer than {MaxFieldLength} characters; is a closing quote missing?", Fatal: true);
                return false;
            }
        }
    }

    private bool ReadUnquoted(out CsvProblem? problem)
    {
        while (Peek() is >= 0 and not (',' or '\n' or '\r'))
        {
            if (Peek() == '"')
            {
                problem = new CsvProblem(_line, _column, "unexpected quote in an unquoted field; a field containing quotes must be quoted whole, with each quote doubled (\"\")", Fatal: false);
                SkipRestOfLine();
                return false;
            }

            _field.Append((char)Next());
            if (_field.Length > MaxFieldLength)
            {
                problem = new CsvProblem(_line, _column, $"a field is longer than {MaxFieldLength} characters", Fatal: true);
                return false;
            }
        }

        problem = null;
        return true;
    }

    private void SkipRestOfLine()
    {
        while (Peek() is >= 0 and not ('\n' or '\r'))
        {
            Next();
        }

        if (Peek() == '\r')
        {
            Next();
        }

        if (Peek() == '\n')
        {
            Next();
        }
    }

    private int Peek()
    {
        if (_position == _length)
        {
            _length = reader.Read(_buffer, 0, _buffer.Length);
            _position = 0;
            if (_length == 0)
            {
                return -1;
            }
        }

        return _buffer[_position];
    }

    // Consumes one character and keeps the line and column of the next one.
    private int Next()
    {
        var c = Peek();
        if (c < 0)
        {
            return c;
        }

        _position++;
        if (c == '\n' || (c == '\r' && Peek() != '\n'))
        {
            _line++;
            _column = 1;
        }
        else
        {
            _column++;
        }

        return c;
    }

    private static string Describe(int c) => c switch
    {
        '"' => "quote",
        ' ' => "space",
        '\t' => "tab",
        _ => $"character '{(char)c}'",
    };
}

/// <summary>One CSV field and where it starts.</summary>
internal readonly record struct CsvField(string Value, long Line, long Column);

/// <summary>A CSV syntax problem; a fatal one ends the reading of the file.</summary>
internal sealed record CsvProblem(long Line, long Column, string Message, bool Fatal);
