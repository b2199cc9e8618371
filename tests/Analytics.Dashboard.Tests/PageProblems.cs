using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Analytics.Dashboard.Tests;

/// <summary>What a page complains about: console errors and warnings, and uncaught script errors.</summary>
internal static class PageProblems
{
    public static ConcurrentQueue<string> Watch(IPage page)
    {
        var problems = new ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                problems.Enqueue($"console {message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => problems.Enqueue($"page error: {error}");
        return problems;
    }
}
