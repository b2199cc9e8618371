namespace Analytics.AspNetCore.Endpoints;

/// <summary>A page of the alert history, newest first.</summary>
internal sealed record AlertHistoryPage(IReadOnlyList<AlertHistoryView> Items, long? Next);
