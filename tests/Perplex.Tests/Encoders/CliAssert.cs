using Xunit;

namespace Perplex.Tests.Encoders;

/// <summary>Checks for the one-line user errors of the tag and classify commands.</summary>
public static class CliAssert
{
    /// <summary>Each command must fail with exit code 1 and one "perplex: error:" line containing its expected text, no stack trace.</summary>
    public static void UserErrors(IEnumerable<(string[] Args, string Expected)> cases)
    {
        foreach (var (args, expected) in cases)
        {
            var r = Cli.Run(args);
            Assert.True(r.ExitCode == 1, $"{string.Join(' ', args)}: {r.Err}");
            Assert.StartsWith("perplex: error: ", r.Err);
            Assert.Contains(expected, r.Err);
            Assert.DoesNotContain("   at ", r.Err);
        }
    }
}
