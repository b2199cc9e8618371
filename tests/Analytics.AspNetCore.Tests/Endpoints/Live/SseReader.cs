using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Threading.Channels;

namespace Analytics.AspNetCore.Tests.Endpoints.Live;

/// <summary>One event as it came over the wire.</summary>
internal sealed record SseEvent(string Type, string? Id, string Data, int? Retry)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement;
}

/// <summary>
/// A Server-Sent Events client for in-process tests: the runtime's <see cref="SseParser"/> reads the stream (as the
/// HTML spec says: event, data, id, retry; a blank line dispatches) into a queue the test awaits with a deadline.
/// </summary>
internal sealed class SseReader : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly HttpResponseMessage _response;
    private readonly Channel<SseEvent> _events = Channel.CreateUnbounded<SseEvent>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;
    private bool _disposed;

    private SseReader(HttpResponseMessage response)
    {
        _response = response;
        _reading = ReadAsync();
    }

    public HttpResponseMessage Response => _response;

    /// <summary>Gets every event received so far, in order.</summary>
    public ConcurrentQueue<SseEvent> Received { get; } = new();

    /// <summary>Gets whether the server ended the stream.</summary>
    public bool Ended { get; private set; }

    public static async Task<SseReader> OpenAsync(HttpClient client, string path, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new SseReader(response);
    }

    /// <summary>Returns the next event matching <paramref name="match"/>, skipping others, or fails after the deadline.</summary>
    public async Task<SseEvent> NextAsync(Func<SseEvent, bool> match, string what)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            while (await _events.Reader.WaitToReadAsync(deadline.Token))
            {
                while (_events.Reader.TryRead(out var e))
                {
                    if (match(e))
                    {
                        return e;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        Assert.Fail($"no {what} within {Deadline.TotalSeconds} s (ended: {Ended}); received: {string.Join(", ", Received.Select(e => e.Type))}");
        return null!;
    }

    public Task<SseEvent> NextAsync(string type) => NextAsync(e => e.Type == type, $"'{type}' event");

    /// <summary>Waits until the server ends the stream.</summary>
    public async Task EndAsync()
    {
        await _reading.WaitAsync(Deadline);
        Assert.True(Ended, "the stream should have been ended by the server");
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stop.Cancel();
        _response.Dispose();
        try
        {
            await _reading;
        }
        catch (Exception)
        {
            // reading stops with the response
        }

        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            await using var stream = await _response.Content.ReadAsStreamAsync(_stop.Token);
            await foreach (var item in SseParser.Create(stream).EnumerateAsync(_stop.Token))
            {
                // The id and retry of the event itself, not the last ones seen: an event without them has none.
                var e = new SseEvent(item.EventType, item.EventId, item.Data, (int?)item.ReconnectionInterval?.TotalMilliseconds);
                Received.Enqueue(e);
                _events.Writer.TryWrite(e);
            }

            Ended = true;
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }
}
