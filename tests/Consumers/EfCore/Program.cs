using ConsumerMatrix;
using Microsoft.EntityFrameworkCore;

var builder = WebApplication.CreateBuilder(args);
var appDatabase = Path.Combine(Path.GetTempPath(), $"efcore-matrix-{Environment.ProcessId}.db");
builder.Services.AddDbContext<ShopContext>(o => o.UseSqlite($"Data Source={appDatabase}"));
builder.Services.AddRequestAnalytics(o => o.ExcludePaths.Add("/matrix"));

var app = builder.Build();
using (var scope = app.Services.CreateScope())
{
    scope.ServiceProvider.GetRequiredService<ShopContext>().Database.EnsureCreated();
}

app.UseRequestAnalytics();
app.MapPost("/orders", async (Order order, ShopContext db) =>
{
    db.Orders.Add(order);
    await db.SaveChangesAsync();
    return Results.Created($"/orders/{order.Id}", order);
});
app.MapGet("/orders/{id:int}", async (int id, ShopContext db) => await db.Orders.FindAsync(id) is { } order ? Results.Ok(order) : Results.NotFound());
app.MapRequestAnalytics("/analytics");

app.MapMatrix(async run =>
{
    using var created = await run.Client.PostAsJsonAsync("/orders", new Order { Id = 1, Item = "book" });
    var read = await run.Client.GetFromJsonAsync<Order>("/orders/1");

    var rows = await run.RecordedAsync();
    run.Equal("EF Core works beside the analytics store", "book", read?.Item);
    run.Equal("requests recorded", 2, rows.Count);
    run.Equal("SQLitePCLRaw 2.1 in use", "2.1", typeof(SQLitePCL.raw).Assembly.GetName().Version?.ToString(2));
});
app.Lifetime.ApplicationStopped.Register(() => File.Delete(appDatabase));
app.Run();

public sealed class Order
{
    public int Id { get; set; }

    public string Item { get; set; } = "";
}

public sealed class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();
}
