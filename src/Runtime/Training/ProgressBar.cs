using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ModelDsl.Runtime.Training;

/// <summary>
/// Keras' Progbar: <c>1875/1875 [==============================] - 58s 31ms/step - loss: 0.3112 - accuracy: 0.9041</c>.
/// Live, it redraws one line in place (throttled); otherwise it writes only the finished line of each epoch.
/// </summary>
internal sealed class ProgressBar
{
    private const int Width = 30;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly TextWriter _writer;
    private readonly int _target;
    private readonly bool _live;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastDraw = -Interval;
    private int _lastLength;

    public ProgressBar(TextWriter writer, int target, bool live)
    {
        _writer = writer;
        _target = target;
        _live = live;
    }

    /// <summary>True when a live redraw is due (at most every 100 ms), so the caller reads the figures only then.</summary>
    public bool Due => _live && _clock.Elapsed - _lastDraw >= Interval;

    /// <summary>Redraws the live bar after step <paramref name="current"/> of the epoch.</summary>
    public void Update(int current, IEnumerable<KeyValuePair<string, double>> values)
    {
        _lastDraw = _clock.Elapsed;
        var line = new StringBuilder(Bar(current));
        var elapsed = _clock.Elapsed.TotalSeconds;
        var eta = current > 0 ? elapsed / current * (_target - current) : 0;
        line.Append(" - ETA: ").Append(FormatEta(eta));
        AppendValues(line, values);
        Draw(line.ToString(), final: false);
    }

    /// <summary>Ends a half-drawn live line, so a message printed now starts on its own line.</summary>
    public void BreakLine()
    {
        if (_lastLength == 0)
            return;
        _writer.WriteLine();
        _lastLength = 0;
    }

    /// <summary>Writes the finished epoch line: total time, time per step and the epoch's figures.</summary>
    public void Finish(int steps, IEnumerable<KeyValuePair<string, double>> values)
    {
        var elapsed = _clock.Elapsed.TotalSeconds;
        var line = new StringBuilder(Bar(steps));
        line.Append(" - ").Append(((long)elapsed).ToString(CultureInfo.InvariantCulture)).Append("s ")
            .Append(FormatPerStep(steps > 0 ? elapsed / steps : 0));
        AppendValues(line, values);
        Draw(line.ToString(), final: true);
    }

    private string Bar(int current)
    {
        int digits = _target.ToString(CultureInfo.InvariantCulture).Length;
        var bar = new StringBuilder();
        bar.Append(current.ToString(CultureInfo.InvariantCulture).PadLeft(digits)).Append('/').Append(_target).Append(" [");
        int filled = _target > 0 ? (int)((long)Width * current / _target) : Width;
        if (filled > 0)
        {
            bar.Append('=', filled - 1);
            bar.Append(current < _target ? '>' : '=');
        }
        bar.Append('.', Width - filled).Append(']');
        return bar.ToString();
    }

    private void Draw(string line, bool final)
    {
        if (_live)
        {
            // Pads over the tail of a longer previous line; the carriage return redraws in place.
            _writer.Write("\r" + line.PadRight(_lastLength));
            _lastLength = line.Length;
            if (final)
            {
                _writer.WriteLine();
                _lastLength = 0;
            }
        }
        else if (final)
            _writer.WriteLine(line);
        _writer.Flush();
    }

    private static void AppendValues(StringBuilder line, IEnumerable<KeyValuePair<string, double>> values)
    {
        foreach (var (key, value) in values)
            line.Append(" - ").Append(key).Append(": ").Append(FormatValue(value));
    }

    /// <summary>Keras writes %.4f, and %.4e for magnitudes under 1e-3 (so a tiny loss is not shown as 0.0000).</summary>
    internal static string FormatValue(double value) =>
        double.IsNaN(value) ? "nan"
        : double.IsInfinity(value) ? (value > 0 ? "inf" : "-inf")
        : value != 0 && Math.Abs(value) < 1e-3 ? value.ToString("0.0000e+00", CultureInfo.InvariantCulture)
        : value.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string FormatPerStep(double seconds) =>
        seconds >= 1 ? $"{seconds.ToString("0", CultureInfo.InvariantCulture)}s/step"
        : seconds >= 1e-3 ? $"{(seconds * 1e3).ToString("0", CultureInfo.InvariantCulture)}ms/step"
        : $"{(seconds * 1e6).ToString("0", CultureInfo.InvariantCulture)}us/step";

    private static string FormatEta(double seconds)
    {
        long s = (long)seconds;
        return s > 3600 ? $"{s / 3600}:{s % 3600 / 60:00}:{s % 60:00}"
            : s > 60 ? $"{s / 60}:{s % 60:00}"
            : $"{s}s";
    }
}
