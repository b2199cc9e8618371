using ConsumerMatrix;
using Grpc.Core;
using Grpc.Net.Client;
using Matrix.Grpc;
using Microsoft.AspNetCore.Server.Kestrel.Core;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = HttpProtocols.Http2));
builder.Services.AddGrpc();
builder.Services.AddRequestAnalytics(o => o.ExcludePaths.Add("/matrix"));

var app = builder.Build();
app.UseRequestAnalytics();
app.MapGrpcService<GreeterService>();
app.MapRequestAnalytics("/analytics");

app.MapMatrix(async run =>
{
    // Cleartext HTTP/2 with prior knowledge: the endpoint speaks HTTP/2 only (so does GET /matrix).
    using var channel = GrpcChannel.ForAddress(run.Client.BaseAddress!, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler(),
        HttpVersion = System.Net.HttpVersion.Version20,
        HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    });
    var client = new Greeter.GreeterClient(channel);
    foreach (var name in new[] { "ok", "missing", "crash", "ok" })
    {
        try
        {
            await client.SayHelloAsync(new HelloRequest { Name = name });
        }
        catch (RpcException)
        {
        }
    }

    var rows = (await run.RecordedAsync()).Where(r => r.Kind == Analytics.RequestKind.Grpc).OrderBy(r => r.Time).ToList();
    run.Equal("gRPC calls recorded", 4, rows.Count);
    run.Equal("route is the method", "/greet.Greeter/SayHello", rows.FirstOrDefault()?.Route);
    run.Equal("statuses (OK 200, NotFound 404, exception 500)", "200,404,500,200", string.Join(",", rows.Select(r => r.StatusCode)));
    var overview = await run.Queries.GetOverviewAsync(run.Query(), default);
    run.Equal("the server exception counts as an error", 1L, overview.ErrorRequests);
    var errors = await run.Queries.GetErrorsAsync(run.Query(), default);
    run.Check("and forms an error group", errors.Any(e => e.ExceptionType == "gRPC Unknown"), string.Join("; ", errors.Select(e => $"{e.ExceptionType} {e.Message}")));
});
app.Run();

internal sealed class GreeterService : Greeter.GreeterBase
{
    public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context) => request.Name switch
    {
        "missing" => throw new RpcException(new Status(StatusCode.NotFound, "no such greeting")),
        "crash" => throw new InvalidOperationException("the greeter crashed"),
        _ => Task.FromResult(new HelloReply { Message = "Hello " + request.Name }),
    };
}
