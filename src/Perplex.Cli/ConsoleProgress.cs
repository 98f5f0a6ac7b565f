using Perplex.Diagnostics;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Perplex.Cli;

/// <summary>
/// Shows library progress as a Spectre.Console progress bar with throughput and time remaining.
/// With --quiet, or when standard error is redirected, nothing is drawn but warnings still reach stderr.
/// </summary>
internal sealed class ConsoleProgress : IProgressSink
{
    private readonly ProgressContext? _context;
    private ProgressTask? _task;
    private string _stage = "";
    private static readonly Dictionary<int, string> Units = new();

    private ConsoleProgress(ProgressContext? context) => _context = context;

    /// <summary>Runs <paramref name="work"/> with a live progress display unless <paramref name="quiet"/>.</summary>
    public static T Run<T>(bool quiet, Func<IProgressSink, T> work)
    {
        if (quiet || Console.IsErrorRedirected)
            return work(new ConsoleProgress(null));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new KnownPercentageColumn(),
                new RateColumn(), new KnownRemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var sink = new ConsoleProgress(ctx);
                result = work(sink);
                sink.Complete();
            });
        return result;
    }

    public void BeginStage(string name, long? total, string unit)
    {
        if (_context is null) return;
        Complete();
        _stage = name;
        _task = _context.AddTask(Markup.Escape(name), maxValue: total ?? 1);
        _task.IsIndeterminate = total is null;
        lock (Units) Units[_task.Id] = unit;
    }

    public void Advance(long amount)
    {
        if (_task is null) return;
        // an indeterminate stage counts past its nominal maximum; the bar pulses and only the rate is meaningful
        if (_task.IsIndeterminate && _task.Value + amount >= _task.MaxValue) _task.MaxValue = 2 * (_task.Value + amount) + 1;
        _task.Increment(amount);
    }

    public void SetStatus(string status)
    {
        if (_task is null) return;
        _task.Description = Markup.Escape(string.IsNullOrEmpty(status) ? _stage : $"{_stage}  {status}");
    }

    public void Warn(string message) => Console.Error.WriteLine($"warning: {message}");

    private void Complete()
    {
        if (_task is null) return;
        if (_task.IsIndeterminate) { _task.IsIndeterminate = false; _task.MaxValue = Math.Max(1, _task.Value); }
        _task.Value = _task.MaxValue;
        _task.StopTask();
        _task = null;
    }

    /// <summary>Percentage, left blank while the total is unknown.</summary>
    private sealed class KnownPercentageColumn : ProgressColumn
    {
        private readonly PercentageColumn _inner = new();

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            task.IsIndeterminate ? new Spectre.Console.Text("") : _inner.Render(options, task, deltaTime);
    }

    /// <summary>Time remaining, left blank while the total is unknown.</summary>
    private sealed class KnownRemainingTimeColumn : ProgressColumn
    {
        private readonly RemainingTimeColumn _inner = new();

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            task.IsIndeterminate ? new Spectre.Console.Text("") : _inner.Render(options, task, deltaTime);
    }

    /// <summary>Shows "12,345 tokens/s" using the unit of the current stage.</summary>
    private sealed class RateColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            string? unit;
            lock (Units) Units.TryGetValue(task.Id, out unit);
            var speed = task.Speed;
            var text = speed is null ? "" : unit == "bytes" ? $"{speed.Value / 1e6:N1} MB/s" : $"{speed.Value:N0} {unit}/s";
            return new Spectre.Console.Text(text, new Style(Color.Grey));
        }
    }
}
