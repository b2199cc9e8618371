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
    }
}

internal sealed record Item(int Id, string Name, decimal Price);

internal sealed record Order(int Id, string UserId, IReadOnlyList<Item> Lines);
