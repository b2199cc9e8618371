using ConsumerMatrix;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddControllersWithViews();
builder.Services.AddRequestAnalytics(o => o.ExcludePaths.Add("/matrix"));

var app = builder.Build();
app.UseRequestAnalytics();
app.UseRouting();
app.UseAuthorization();
app.MapStaticAssets();
app.MapControllerRoute(name: "default", pattern: "{controller=Home}/{action=Index}/{id?}").WithStaticAssets();
app.MapRequestAnalytics("/analytics");

app.MapMatrix(async run =>
{
    foreach (var path in new[] { "/", "/home/index", "/Home/Details/7", "/Home/Details/8", "/Home/Privacy" })
    {
        (await run.Client.GetAsync(path)).EnsureSuccessStatusCode();
    }

    var files = Directory.GetFiles(Path.Combine(app.Environment.WebRootPath, "lib"), "*", SearchOption.AllDirectories);
    foreach (var file in files)
    {
        var path = "/" + Path.GetRelativePath(app.Environment.WebRootPath, file).Replace('\\', '/');
        (await run.Client.GetAsync(path)).EnsureSuccessStatusCode();
    }

    var rows = await run.RecordedAsync();
    var routes = rows.Select(r => r.Route).Distinct().Order().ToList();
    run.Equal("static assets requested", files.Length, rows.Count(r => r.Route.StartsWith("(static)", StringComparison.Ordinal)));
    run.Check("static assets in a bounded set of rows", routes.Count(r => r.StartsWith("(static)", StringComparison.Ordinal)) <= 3, string.Join(", ", routes));
    run.Equal("conventional route: Home/Index", 2, rows.Count(r => r.Route == "Home/Index/{id?}"));
    run.Equal("conventional route: Home/Details", 2, rows.Count(r => r.Route == "Home/Details/{id?}"));
    run.Equal("conventional route: Home/Privacy", 1, rows.Count(r => r.Route == "Home/Privacy/{id?}"));
});
app.Run();
