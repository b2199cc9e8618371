using System.Globalization;
using System.Runtime.CompilerServices;

namespace Analytics.Sample;

/// <summary>The sample's own endpoints: a tiny catalogue API.</summary>
internal static class SampleApi
{
    public static void MapSampleApi(this WebApplication app)
    {
        // The cheapest route there is: a constant string. Load tests measure the middleware's overhead on it.
        app.MapGet("/ping", () => "pong");

        app.MapGet("/items/{id:int}", (int id) => id is > 0 and <= 1000
            ? Results.Ok(new Item(id, $"Item {id}", Math.Round(id * 1.25m, 2)))
            : Results.NotFound());

        app.MapGet("/users/{userId}/orders/{orderId:int}", (string userId, int orderId) =>
            Results.Ok(new Order(orderId, userId, [new Item(orderId % 7 + 1, "Widget", 9.99m)])));

        app.MapPost("/orders", (Order order) => order.Lines.Count == 0
            ? Results.BadRequest(new { error = "An order needs at least one line." })
            : Results.Created($"/users/{order.UserId}/orders/{order.Id}", order));

        // Fails about one call in five, the way a flaky dependency does.
        app.MapGet("/flaky", () => Random.Shared.Next(5) == 0
            ? throw new InvalidOperationException("The inventory service did not answer.")
            : Results.Ok(new { status = "ok" }));

        app.MapGet("/slow", async (int? ms, CancellationToken cancellationToken) =>
        {
            var delay = Math.Clamp(ms ?? Random.Shared.Next(100, 400), 0, 5_000);
            await Task.Delay(delay, cancellationToken);
            return Results.Ok(new { waitedMs = delay });
        });

        // A Server-Sent Events stream of price quotes that ends after a few seconds: a long-lived request, which the
        // dashboard's Connections card counts apart from the latency of ordinary ones.
        app.MapGet("/quotes/live", (int? seconds, CancellationToken cancellationToken) =>
            TypedResults.ServerSentEvents(Quotes(Math.Clamp(seconds ?? 5, 1, 60), cancellationToken), eventType: "quote"));
    }

    private static async IAsyncEnumerable<string> Quotes(int seconds, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var price = 100.0;
        for (var i = 0; i < seconds * 2; i++)
        {
            price = Math.Round(price * (1 + ((Random.Shared.NextDouble() - 0.5) / 50)), 2);
            yield return price.ToString("F2", CultureInfo.InvariantCulture);
            await Task.Delay(500, cancellationToken);
        }
    }
}

internal sealed record Item(int Id, string Name, decimal Price);

internal sealed record Order(int Id, string UserId, IReadOnlyList<Item> Lines);
