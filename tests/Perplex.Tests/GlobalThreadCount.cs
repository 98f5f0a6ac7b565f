using Xunit;

namespace Perplex.Tests;

/// <summary>
/// Tests that set the engine's thread count (<c>Parallelism.MaxThreads</c>, a process-wide setting) and then assert
/// what it was. They run alone: the CLI tests set it too (<c>--threads</c>), and run in parallel with other classes.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalThreadCount
{
    /// <summary>The collection's name.</summary>
    public const string Name = "global thread count";
}
