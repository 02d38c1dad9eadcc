using Npgsql;

namespace SpotifyBuddies.Infrastructure.Tests.Testing;

/// <summary>
/// A class fixture handing out fresh, randomly named schemas in the test database, so test classes (and the
/// tests in them) never share data and can run in parallel against one database. Drops them all on dispose.
/// The connection is made on first use, so skipped tests never need one.
/// </summary>
public sealed class PostgresSchemas : IAsyncLifetime
{
    private readonly string _prefix = $"t{Guid.NewGuid():N}"[..13];
    private readonly List<string> _created = [];
    private readonly Lock _gate = new();
    private NpgsqlDataSource? _dataSource;

    public NpgsqlDataSource DataSource
    {
        get
        {
            lock (_gate)
            {
                return _dataSource ??= NpgsqlDataSource.Create(TestPostgres.RequireConnectionString());
            }
        }
    }

    /// <summary>A new schema name (not yet created) that is dropped when the fixture is disposed.</summary>
    public string NewSchemaName()
    {
        lock (_gate)
        {
            var name = $"{_prefix}_{_created.Count + 1}";
            _created.Add(name);
            return name;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_dataSource is null)
        {
            return;
        }

        foreach (var schema in _created)
        {
            await using var drop = _dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            await drop.ExecuteNonQueryAsync();
        }

        await _dataSource.DisposeAsync();
    }
}
