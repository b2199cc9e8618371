using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Analytics.AspNetCore;

/// <summary>
/// Wraps the response body feature for the length of a request to count the body bytes the application writes, since
/// most responses (JSON from minimal APIs, streamed results) set no <c>Content-Length</c>. The stream and pipe
/// wrappers are created only when the application touches them.
/// </summary>
internal sealed class ResponseBodyCounter : IHttpResponseBodyFeature
{
    private readonly IHttpResponseBodyFeature _inner;
    private CountingPipeWriter? _writer;
    private CountingStream? _stream;
    private long _bytes;

    private ResponseBodyCounter(IHttpResponseBodyFeature inner)
    {
        _inner = inner;
    }

    public Stream Stream => _stream ??= new CountingStream(_inner.Stream, this);

    public PipeWriter Writer => _writer ??= new CountingPipeWriter(_inner.Writer, this);

    /// <summary>Puts a counter in front of the current body feature; returns <see langword="null"/> when the server has none.</summary>
    public static ResponseBodyCounter? Attach(HttpContext context)
    {
        if (context.Features.Get<IHttpResponseBodyFeature>() is not { } inner)
        {
            return null;
        }

        var counter = new ResponseBodyCounter(inner);
        context.Features.Set<IHttpResponseBodyFeature>(counter);
        return counter;
    }

    public void DisableBuffering() => _inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        _bytes += count ?? Math.Max(0, new FileInfo(path).Length - offset);
        return _inner.SendFileAsync(path, offset, count, cancellationToken);
    }

    public Task CompleteAsync() => _inner.CompleteAsync();

    internal void Add(long bytes) => _bytes += bytes;

    private sealed class CountingPipeWriter(PipeWriter inner, ResponseBodyCounter counter) : PipeWriter
    {
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

    /// <summary>Restores the body feature this counter replaced and returns the bytes written through it.</summary>
    public long Detach(HttpContext context)
    {
        if (ReferenceEquals(context.Features.Get<IHttpResponseBodyFeature>(), this))
        {
            context.Features.Set(_inner);
        }

        return _bytes;
    }
}
