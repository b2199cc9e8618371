using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Analytics.AspNetCore;

/// <summary>
/// Wraps the response body feature for the length of a request to count the body bytes the application writes, since
/// most responses (JSON from minimal APIs, streamed results) set no <c>Content-Length</c>. The stream and pipe
/// wrappers are created only when the application touches them.
/// </summary>
/// <remarks>
/// A counter and its wrappers are kept in the connection's <see cref="IPersistentStateFeature"/> and reused by the next
/// request on the same connection (HTTP/1.1) or pooled stream (HTTP/2), as Kestrel reuses its own body stream and
/// writer, so a request allocates nothing for them. Servers without that feature get a new counter per request. The
/// connection's <see cref="ClientAddressCache"/> travels with it for the same reason (<see cref="Client"/>).
/// </remarks>
internal sealed class ResponseBodyCounter : IHttpResponseBodyFeature
{
    private static readonly object StateKey = typeof(ResponseBodyCounter);

    private IHttpResponseBodyFeature _inner = null!;
    private CountingPipeWriter? _writer;
    private CountingStream? _stream;
    private long _bytes;
    private bool _sentFile;
    private bool _attached;
    private bool _registered;
    private IHttpRequestFeature? _requestFeature;
    private CountingRequestStream? _requestBody;

    private ResponseBodyCounter()
    {
    }

    public Stream Stream => _stream is { } stream && ReferenceEquals(stream.Inner, _inner.Stream)
        ? stream
        : _stream = new CountingStream(_inner.Stream, this);

    public PipeWriter Writer => _writer is { } writer && ReferenceEquals(writer.Inner, _inner.Writer)
        ? writer
        : _writer = new CountingPipeWriter(_inner.Writer, this);

    /// <summary>
    /// Puts a counter in front of the current body feature; returns <see langword="null"/> when the server has none.
    /// With <paramref name="register"/>, the counter is also the request's feature under its own type, where
    /// <see cref="RequestAnalyticsMarkerMiddleware"/> finds it to tell what it saw (<see cref="Mark"/>).
    /// </summary>
    public static ResponseBodyCounter? Attach(HttpContext context, bool register = false)
    {
        // The collection's indexer, not Get<T>/Set<T>: those are generic virtual methods, a runtime lookup on every
        // call, where Kestrel's indexer is a plain interface call that switches on the type.
        var features = context.Features;
        if (features[typeof(IHttpResponseBodyFeature)] is not IHttpResponseBodyFeature inner)
        {
            return null;
        }

        var state = (features[typeof(IPersistentStateFeature)] as IPersistentStateFeature)?.State;
        object? kept = null;
        if (state?.TryGetValue(StateKey, out kept) != true || kept is not ResponseBodyCounter { _attached: false } counter)
        {
            // First request on this connection, a server without persistent state, or a second analytics middleware
            // in the same pipeline (the kept counter is in use): a counter of its own.
            counter = new ResponseBodyCounter();
            if (state is not null && kept is null)
            {
                state[StateKey] = counter;
            }
        }

        counter._inner = inner;
        counter._bytes = 0;
        counter._sentFile = false;
        counter._attached = true;
        counter.Marked = false;
        counter.MarkedEndpoint = null;
        counter.MarkedError = null;
        counter.RequestBytes = 0;
        features[typeof(IHttpResponseBodyFeature)] = counter;
        if (register)
        {
            features[typeof(ResponseBodyCounter)] = counter;
            counter._registered = true;
        }

        return counter;
    }

    /// <summary>Gets the connection's formatted client address, kept with the counter so that it costs no second lookup.</summary>
    public ClientAddressCache Client { get; } = new();

    public void DisableBuffering() => _inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        _bytes += count ?? Math.Max(0, new FileInfo(path).Length - offset);
        _sentFile = true;
        return _inner.SendFileAsync(path, offset, count, cancellationToken);
    }

    public Task CompleteAsync() => _inner.CompleteAsync();

    internal void Add(long bytes) => _bytes += bytes;

    private sealed class CountingPipeWriter(PipeWriter inner, ResponseBodyCounter counter) : PipeWriter
    {
        public PipeWriter Inner => inner;

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes)
        {
            counter.Add(bytes);
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            counter.Add(source.Length);
            return inner.WriteAsync(source, cancellationToken);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }

    private sealed class CountingStream(Stream inner, ResponseBodyCounter counter) : Stream
    {
        public Stream Inner => inner;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            counter.Add(count);
            inner.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            counter.Add(buffer.Length);
            inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            counter.Add(count);
            return inner.WriteAsync(buffer, offset, count, cancellationToken);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            counter.Add(buffer.Length);
            return inner.WriteAsync(buffer, cancellationToken);
        }
    }

    /// <summary>Gets the body bytes written through this counter so far in the current request.</summary>
    public long Bytes => _bytes;

    /// <summary>Gets whether the current request's body was a file sent with <c>SendFileAsync</c> (the static-files middleware's way).</summary>
    public bool SentFile => _sentFile;

    /// <summary>Gets whether <see cref="RequestAnalyticsMarkerMiddleware"/> saw the current request.</summary>
    public bool Marked { get; private set; }

    /// <summary>Gets the path base where the marker saw the request.</summary>
    public PathString MarkedPathBase { get; private set; }

    /// <summary>Gets the path where the marker saw the request.</summary>
    public PathString MarkedPath { get; private set; }

    /// <summary>Gets the endpoint as the marker saw it, on the way in or, when routing runs after it, on the way out.</summary>
    public Endpoint? MarkedEndpoint { get; set; }

    /// <summary>Gets the exception that left the pipeline through the marker, if one did.</summary>
    public Exception? MarkedError { get; set; }

    /// <summary>Gets the request body bytes the app read, for a request that announced no <c>Content-Length</c>.</summary>
    public long RequestBytes { get; private set; }

    /// <summary>Records where the marker saw the request: its path, path base and endpoint at that point.</summary>
    public void Mark(HttpRequest request, Endpoint? endpoint)
    {
        Marked = true;
        MarkedPathBase = request.PathBase;
        MarkedPath = request.Path;
        MarkedEndpoint = endpoint;
    }

    /// <summary>
    /// Counts the request body as the app reads it when the request has one of unknown length (chunked, as
    /// <c>HttpClient</c>'s <c>JsonContent</c> sends it). Kestrel rebuilds its body reader over a replaced stream, so
    /// both <c>Request.Body</c> and <c>Request.BodyReader</c> go through the count. Requests with a
    /// <c>Content-Length</c>, and those that cannot have a body, are left alone.
    /// </summary>
    public void CountRequestBody(HttpContext context)
    {
        var features = context.Features;
        if ((features[typeof(IHttpRequestBodyDetectionFeature)] as IHttpRequestBodyDetectionFeature)?.CanHaveBody != true
            || features[typeof(IHttpRequestFeature)] is not IHttpRequestFeature request
            || request.Headers.ContentLength is not null)
        {
            return;
        }

        _requestFeature = request;
        request.Body = _requestBody = new CountingRequestStream(request.Body, this);
    }

    /// <summary>Restores the body feature this counter replaced; <see cref="Bytes"/> keeps the count until the next attach.</summary>
    public void Detach(HttpContext context)
    {
        if (ReferenceEquals(context.Features[typeof(IHttpResponseBodyFeature)], this))
        {
            context.Features[typeof(IHttpResponseBodyFeature)] = _inner;
        }

        if (_requestFeature is { } request)
        {
            if (ReferenceEquals(request.Body, _requestBody))
            {
                request.Body = _requestBody!.Inner;
            }

            _requestFeature = null;
            _requestBody = null;
        }

        if (_registered)
        {
            context.Features[typeof(ResponseBodyCounter)] = null;
            _registered = false;
        }

        _attached = false;
    }

    private sealed class CountingRequestStream(Stream inner, ResponseBodyCounter counter) : Stream
    {
        public Stream Inner => inner;

        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Counted(inner.Read(buffer));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Counted(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Counted(int read)
        {
            counter.RequestBytes += read;
            return read;
        }
    }
}
