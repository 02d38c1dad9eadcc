namespace SpotifyBuddies.Data.Datasets;

/// <summary>The physical type of a dataset column; every column is required (no nulls).</summary>
public enum ColumnType
{
    /// <summary>Parquet INT32.</summary>
    I32,

    /// <summary>Parquet INT64.</summary>
    I64,

    /// <summary>Parquet DOUBLE.</summary>
    F64,

    /// <summary>Parquet BYTE_ARRAY with the STRING logical type (UTF-8).</summary>
    Text,
}

/// <summary>One column of a dataset table: its name, type and meaning (the meaning goes into the manifest).</summary>
public sealed record ColumnSchema(string Name, ColumnType Type, string Description)
{
    /// <summary>The type as the manifest names it: <c>int32</c>, <c>int64</c>, <c>double</c> or <c>string</c>.</summary>
    public string TypeName => Type switch
    {
        ColumnType.I32 => "int32",
        ColumnType.I64 => "int64",
        ColumnType.F64 => "double",
        ColumnType.Text => "string",
        _ => throw new InvalidOperationException($"Unknown column type {Type}."),
    };
}
