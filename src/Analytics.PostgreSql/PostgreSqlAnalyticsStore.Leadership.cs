using Analytics.Storage;
using Npgsql;

namespace Analytics.PostgreSql;

/// <summary>
/// <see cref="IClusterLeadership"/>: the instance holding a session-level advisory lock on a connection of its own
/// leads; the lock goes with the connection when the process dies.
/// </summary>
internal sealed partial class PostgreSqlAnalyticsStore
{
    public async Task<bool> IsLeaderAsync(CancellationToken cancellationToken)
    {
        await _leaderLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return false;
            }

            if (_leaderConnection is { } held)
            {
                try
                {
                    // The lock lives as long as this session: a session that still answers still holds it.
                    await using var check = new NpgsqlCommand("SELECT 1;", held);
                    await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException)
                {
                    await held.DisposeAsync().ConfigureAwait(false); // the server dropped the session, and the lock with it
                    _leaderConnection = null;
                }
            }

            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtext($1));", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = "Analytics.PostgreSql leader " + _schemaName });
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
            {
                _leaderConnection = connection; // kept open, out of the pool, for as long as this instance leads
                return true;
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            return false;
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException)
        {
            return false;
        }
        finally
        {
            if (_disposed)
            {
                await LetGoOfLeadAsync().ConfigureAwait(false); // a synchronous Dispose came meanwhile and left it to this call
            }

            _leaderLock.Release();
        }
    }

    /// <summary>Gives up the lead, if held. Called only while holding <see cref="_leaderLock"/>.</summary>
    private async Task LetGoOfLeadAsync()
    {
        if (TakeLeaderConnection() is not { } held)
        {
            return;
        }

        try
        {
            // Let another instance lead at once, even if the app's own pool keeps this session open.
            await using var unlock = new NpgsqlCommand(UnlockAll, held);
            await unlock.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException)
        {
            // the session is gone, and its locks with it
        }

        await held.DisposeAsync().ConfigureAwait(false);
    }

    private NpgsqlConnection? TakeLeaderConnection()
    {
        var held = _leaderConnection;
        _leaderConnection = null;
        return held;
    }
}
