using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.VisualBasic.FileIO;
using Xunit.Abstractions;

namespace Analytics.AspNetCore.Tests.Endpoints.Export;

/// <summary>
/// A million raw requests exported as CSV on a real Kestrel: the response streams page by page, so the live heap stays
/// flat while ~200 MB go by, and a standard CSV parser (.NET's <see cref="TextFieldParser"/>) reads back every row.
/// </summary>
/// <remarks>
/// The live heap is the whole test process's, so this test runs alone (<see cref="MeasuredAloneCollection"/>):
/// another test's objects alive at a checkpoint would count as the export's.
/// </remarks>
[Collection(MeasuredAloneCollection.Name)]
public class ExportScaleTests(ITestOutputHelper output)
{
    private const int Rows = 1_000_000;

    // The whole export is ~200 MB of CSV; a buffered one would hold far more than this in objects.
    private const long MaxHeapGrowth = 32L * 1024 * 1024;

    [Fact]
    public async Task AMillionRowsStreamWithFlatMemoryAndParseBackToTheSameCount()
    {
        await using var host = await EndpointTestApp.StartAsync();
        (await host.Client.GetAsync("/analytics/api/requests?range=1h")).Dispose(); // creates the schema
        var now = DateTimeOffset.UtcNow;
        Seed(host.DatabasePath, now);

        using var response = await host.Client.GetAsync("/analytics/api/export?format=csv&dataset=requests&range=6h", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentLength); // streamed, not buffered

        await using var body = await response.Content.ReadAsStreamAsync();
        var counting = new CountingStream(body);
        using var parser = new TextFieldParser(counting) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var header = parser.ReadFields()!;
        Assert.Equal("id", header[0]);

        long rows = 0;
        long? baseline = null;
        long peak = 0;
        while (parser.ReadFields() is { } fields)
        {
            Assert.Equal(header.Length, fields.Length);
            rows++;
            if (rows % 100_000 == 0)
            {
                var heap = LiveHeap();
                baseline ??= heap;
                peak = Math.Max(peak, heap);
                output.WriteLine($"{rows:N0} rows, {counting.Bytes / 1_048_576.0:F0} MB read: live heap {heap / 1_048_576.0:F1} MB");
            }
        }

        Assert.Equal(Rows, rows);
        output.WriteLine($"Exported {rows:N0} rows, {counting.Bytes / 1_048_576.0:F0} MB of CSV; live heap {baseline / 1_048_576.0:F1} MB at 100k rows, peak {peak / 1_048_576.0:F1} MB.");
        Assert.InRange(peak - baseline!.Value, long.MinValue, MaxHeapGrowth);
    }

    private static long LiveHeap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>
    /// Writes the rows through the store's raw-row statement alone (no queue, no rollups): the export, not the ingest, is
    /// under test here.
    /// </summary>
    private static void Seed(string databasePath, DateTimeOffset now)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using var insert = new Analytics.Sqlite.SqliteRequestInsert(connection);
        var start = DateTimeOffset.FromUnixTimeMilliseconds((now - TimeSpan.FromHours(1)).ToUnixTimeMilliseconds());
        for (var i = 0; i < Rows; i++)
        {
            insert.Run(new RequestRecord
            {
                Timestamp = start.AddTicks(i * 3L * TimeSpan.TicksPerMicrosecond), // 1M rows over the last hour
                Method = "GET",
                Route = "/items/{id}",
                Path = $"/items/{i % 1_000}",
                StatusCode = i % 50 == 0 ? 500 : 200,
                Duration = TimeSpan.FromMicroseconds(100 + (i % 10_000)),
                ResponseBytes = 512,
                ClientIp = "203.0.113.0",
                UserAgent = "Mozilla/5.0 (X11; Linux x86_64), \"quoted\"",
                Protocol = "HTTP/1.1",
                TraceId = i.ToString("x32", System.Globalization.CultureInfo.InvariantCulture),
                Environment = "Testing",
                Instance = "test",
            });
        }

        transaction.Commit();
    }

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Bytes { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Bytes; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            Bytes += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
