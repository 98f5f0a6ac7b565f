using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Perplex.Cli;

/// <summary>Range checks for numeric options, reported as parse errors (one line, with the option's name).</summary>
internal static class OptionValidation
{
    /// <summary>Rejects values below <paramref name="min"/>. A value that is not a number is left to the parser's own error.</summary>
    public static T AtLeast<T>(this T option, double min) where T : Option
    {
        option.Validators.Add(r =>
        {
            if (Parse(r) is { } v && v < min) r.AddError($"{option.Name} must be at least {min.ToString(CultureInfo.InvariantCulture)} (got {v.ToString(CultureInfo.InvariantCulture)})");
        });
        return option;
    }

    /// <summary>Rejects values above <paramref name="max"/>.</summary>
    public static T AtMost<T>(this T option, double max) where T : Option
    {
        option.Validators.Add(r =>
        {
            if (Parse(r) is { } v && v > max) r.AddError($"{option.Name} must be at most {max.ToString(CultureInfo.InvariantCulture)} (got {v.ToString(CultureInfo.InvariantCulture)})");
        });
        return option;
    }

    /// <summary>Rejects values at or above <paramref name="limit"/>.</summary>
    public static T Below<T>(this T option, double limit) where T : Option
    {
        option.Validators.Add(r =>
        {
            if (Parse(r) is { } v && v >= limit) r.AddError($"{option.Name} must be below {limit.ToString(CultureInfo.InvariantCulture)} (got {v.ToString(CultureInfo.InvariantCulture)})");
        });
        return option;
    }

    private static double? Parse(OptionResult r) =>
        r.Tokens.Count == 1 && double.TryParse(r.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
}
