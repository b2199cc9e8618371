using Analytics.Storage;

namespace Analytics.Queries;

/// <summary>
/// <see cref="RequestTotals"/> that also remember when they were first and last seen: the start of the first bucket
/// and the end of the last one with rows, whatever granularity each row has.
/// </summary>
internal sealed class SeenTotals(bool kindChosen)
{
    public RequestTotals Totals { get; } = new(kindChosen);

    public DateTimeOffset First { get; private set; } = DateTimeOffset.MaxValue;

    public DateTimeOffset Last { get; private set; } = DateTimeOffset.MinValue;

    public void Add(RequestRollup row)
    {
        Totals.Add(row);
        Seen(row);
    }

    /// <summary>Notes a row's bucket without counting it.</summary>
    public void Seen(RequestRollup row)
    {
        var end = row.BucketStart + row.Granularity.BucketSize();
        First = row.BucketStart < First ? row.BucketStart : First;
        Last = end > Last ? end : Last;
    }

    /// <summary>Replaces the first and last bucket times found in coarser rows by those of the finer ones they merge.</summary>
    public void Narrow(DateTimeOffset? first, DateTimeOffset? last)
    {
        First = first ?? First;
        Last = last ?? Last;
    }
}
