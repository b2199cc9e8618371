namespace Analytics.AspNetCore.Tests;

/// <summary>Tests that measure the process (its heap): xUnit runs them after the parallel ones, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredAloneCollection
{
    public const string Name = "Measured alone";
}
