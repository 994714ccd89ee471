using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace ModelDsl.Runtime.Report;

/// <summary>
/// Renders a <see cref="TrainingReport"/> as one HTML file: the text and the confusion matrix as markup, the curves and
/// the sample images as JSON that the inlined Chart.js and a short script draw. The script ends by writing what it drew
/// (the canvases' rectangles, or the error) into <c>#report-status</c>, so a headless browser can check the page.
/// </summary>
internal static class ReportPage
{
    public static string Render(TrainingReport report)
    {
        var html = new StringBuilder();
        html.Append($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Training report: {Encode(report.ModelName)}</title>
            <style>{Style}</style>
            <script>{ErrorTrap}</script>
            </head>
            <body>
            <header>
            <h1>Training report: {Encode(report.ModelName)}</h1>
            <p class="facts">{Facts(report)}</p>
            </header>
            <section id="curves">
            <h2>Training curves</h2>
            <div class="charts">

            """);
        for (var i = 0; i < report.Curves.Count; i++)
            html.Append(CultureInfo.InvariantCulture, $"<figure class=\"chart\"><canvas id=\"chart-{i}\" aria-label=\"{Encode(report.Curves[i].Name)} per epoch\"></canvas></figure>\n");
        if (report.Curves.Count == 0)
            html.Append("<p class=\"note\">The history holds no epochs.</p>\n");
        html.Append($"""
            </div>
            </section>
            <div class="columns">
            <section id="summary">
            <h2>Model</h2>
            <pre>{Encode(report.Summary)}</pre>
            </section>
            <section id="confusion">
            <h2>Confusion matrix</h2>

            """);
        AppendConfusion(html, report);
        html.Append("""
            </section>
            </div>
            <section id="worst">
            <h2>Worst-predicted test samples</h2>

            """);
        AppendWorst(html, report);
        html.Append($"""
            </section>
            <footer>Charts drawn by Chart.js {Encode(TrainingReport.ChartLibraryVersion)}, inlined in this page. Written by ModelDsl.</footer>
            <output id="report-status" hidden></output>
            <script>{ChartLibrary.Script}</script>
            <script type="application/json" id="report-data">{Data(report)}</script>
            <script>{Draw}</script>
            </body>
            </html>

            """);
        return html.ToString();
    }

    private static string Facts(TrainingReport report)
    {
        var history = report.History;
        var facts = new List<string> { history.Epoch.Count == 1 ? "1 epoch" : $"{history.Epoch.Count} epochs" };
        foreach (var key in history.Keys)
        {
            var last = history[key].LastOrDefault(double.IsFinite, double.NaN);
            if (double.IsFinite(last))
                facts.Add($"{Encode(key)} {Number(last)}");
        }
        if (report.Confusion is { } confusion)
            facts.Add($"test accuracy {Number(confusion.Accuracy)} ({confusion.Correct:D} of {confusion.Total:D})");
        else if (report.TestCount > 0)
            facts.Add($"{report.TestCount:D} test samples");
        if (history.StopReason is { } reason)
            facts.Add($"stopped early: {Encode(reason)}");
        return string.Join(" · ", facts);
    }

    private static void AppendConfusion(StringBuilder html, TrainingReport report)
    {
        if (report.Confusion is not { } matrix)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">No confusion matrix: {Encode(report.ClassificationNote ?? "")}.</p>\n");
            return;
        }

        html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">Rows: the true class; columns: the predicted class; {matrix.Total:D} test samples.</p>\n");
        html.Append("<div class=\"matrix-scroll\"><table class=\"matrix\">\n<thead><tr><th class=\"corner\">true \\ predicted</th>");
        for (var predicted = 0; predicted < matrix.Classes; predicted++)
            html.Append(CultureInfo.InvariantCulture, $"<th>{predicted}</th>");
        html.Append("<th>recall</th></tr></thead>\n<tbody>\n");
        for (var actual = 0; actual < matrix.Classes; actual++)
        {
            var rowTotal = matrix.RowTotal(actual);
            html.Append(CultureInfo.InvariantCulture, $"<tr><th>{actual}</th>");
            for (var predicted = 0; predicted < matrix.Classes; predicted++)
            {
                var count = matrix[actual, predicted];
                var share = rowTotal == 0 ? 0 : (double)count / rowTotal;
                // Mistakes are rare next to the diagonal, so their shade is boosted to stay visible.
                var (rgb, alpha) = actual == predicted ? ("31, 119, 180", share) : ("214, 39, 40", Math.Min(1, 4 * share));
                var style = count == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" style=\"background: rgba({rgb}, {alpha:0.###}){(alpha > 0.55 ? "; color: #fff" : "")}\"");
                html.Append(CultureInfo.InvariantCulture, $"<td{style}>{count:D}</td>");
            }
            var recall = rowTotal == 0 ? "–" : Number((double)matrix[actual, actual] / rowTotal);
            html.Append(CultureInfo.InvariantCulture, $"<td class=\"recall\">{recall}</td></tr>\n");
        }
        html.Append("</tbody>\n</table></div>\n");
    }

    private static void AppendWorst(StringBuilder html, TrainingReport report)
    {
        if (report.Worst.Count == 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">None to show: {Encode(report.ClassificationNote ?? "the test set is empty")}.</p>\n");
            return;
        }

        html.Append("<p class=\"note\">The test samples with the lowest probability of their true class, lowest first.</p>\n<div class=\"samples\">\n");
        for (var rank = 0; rank < report.Worst.Count; rank++)
        {
            var sample = report.Worst[rank];
            var picture = sample.Image is { } image
                ? $"<canvas id=\"sample-{rank}\" width=\"{image.Width}\" height=\"{image.Height}\"></canvas>"
                : "";
            var verdict = sample.Predicted == sample.Label ? "right" : "wrong";
            html.Append(CultureInfo.InvariantCulture, $"""
                <figure class="sample {verdict}">{picture}<figcaption>true <b>{sample.Label}</b>, predicted <b>{sample.Predicted}</b><br>p({sample.Label}) {Probability(sample.LabelProbability)} · p({sample.Predicted}) {Probability(sample.PredictedProbability)}<br><span class="index">#{sample.Index}</span></figcaption></figure>

                """);
        }
        html.Append("</div>\n");
    }

    /// <summary>The curves and images as JSON; the default encoder escapes &lt; and &gt;, so no "&lt;/script" can appear.</summary>
    private static string Data(TrainingReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("curves");
            for (var i = 0; i < report.Curves.Count; i++)
            {
                var curve = report.Curves[i];
                json.WriteStartObject();
                json.WriteString("id", $"chart-{i}");
                json.WriteString("name", curve.Name);
                json.WriteStartArray("epochs");
                foreach (var epoch in curve.Epochs)
                    json.WriteNumberValue(epoch);
                json.WriteEndArray();
                WriteSeries(json, "train", curve.Train);
                WriteSeries(json, "validation", curve.Validation);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("images");
            for (var rank = 0; rank < report.Worst.Count; rank++)
            {
                if (report.Worst[rank].Image is not { } image)
                    continue;
                json.WriteStartObject();
                json.WriteString("id", $"sample-{rank}");
                json.WriteNumber("width", image.Width);
                json.WriteNumber("height", image.Height);
                json.WriteNumber("channels", image.Channels);
                json.WriteBase64String("pixels", image.Pixels);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteSeries(Utf8JsonWriter json, string name, IReadOnlyList<double>? values)
    {
        if (values is null)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            // JSON has no NaN; Chart.js leaves a gap at null.
            if (double.IsFinite(value))
                json.WriteNumberValue(value);
            else
                json.WriteNullValue();
        }
        json.WriteEndArray();
    }

    private static string Number(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    // Three decimals fit a caption; the worst samples often have a true-class probability that rounds to nothing.
    private static string Probability(double value) => value < 0.0005 ? "&lt;0.001" : value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private const string Style = """
        :root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #dde1e8; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; padding: 24px 32px 32px; max-width: 1240px; background: #f4f5f7; color: var(--ink);
               font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
        h1 { margin: 0 0 4px; font-size: 24px; }
        h2 { margin: 0 0 12px; font-size: 16px; }
        .facts, .note, footer { color: var(--muted); margin: 0 0 12px; }
        section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin-top: 16px; }
        .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 16px; }
        .chart { margin: 0; height: 280px; position: relative; }
        .columns { display: grid; grid-template-columns: minmax(0, 5fr) minmax(0, 6fr); gap: 16px; }
        .columns > section { margin-top: 16px; }
        pre { margin: 0; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; overflow-x: auto; }
        table.matrix { border-collapse: collapse; font-variant-numeric: tabular-nums; }
        .matrix-scroll { overflow-x: auto; }
        .matrix th, .matrix td { border: 1px solid var(--line); padding: 3px 6px; text-align: right; min-width: 36px; }
        .matrix th { background: #f4f5f7; font-weight: 600; }
        .matrix .corner { font-weight: 400; color: var(--muted); font-size: 12px; }
        .matrix .recall { color: var(--muted); }
        .samples { display: grid; grid-template-columns: repeat(auto-fill, minmax(168px, 1fr)); gap: 12px; }
        .sample { margin: 0; padding: 8px; border: 1px solid var(--line); border-radius: 6px; text-align: center; }
        .sample.wrong { border-color: #e8a3a3; background: #fdf3f3; }
        .sample canvas { width: 84px; height: 84px; image-rendering: pixelated; display: block; margin: 0 auto 6px; }
        .sample figcaption { font-size: 12px; }
        .sample .index { color: var(--muted); }
        footer { margin-top: 16px; font-size: 12px; }
        """;

    // Runs first, so an error anywhere (the library included) reaches the status element.
    private const string ErrorTrap = """
        window.reportErrors = []; window.addEventListener('error', e => window.reportErrors.push(String(e.message)));
        """;

    private const string Draw = """
        (() => {
          const status = document.getElementById('report-status');
          const finish = state => {
            const errors = window.reportErrors;
            state.ok = state.ok && errors.length === 0;
            if (errors.length) state.errors = errors;
            status.dataset.state = state.ok ? 'ok' : 'error';
            status.textContent = JSON.stringify(state);
          };
          try {
            const data = JSON.parse(document.getElementById('report-data').textContent);
            const colors = { train: '#1f77b4', validation: '#ff7f0e' };
            const series = (label, values, color) => ({ label, data: values, borderColor: color, backgroundColor: color,
              borderWidth: 2, pointRadius: 3, pointHoverRadius: 5, tension: 0 });
            const canvases = [];
            for (const curve of data.curves) {
              const datasets = [];
              if (curve.train) datasets.push(series(curve.name, curve.train, colors.train));
              if (curve.validation) datasets.push(series('val_' + curve.name, curve.validation, colors.validation));
              const canvas = document.getElementById(curve.id);
              new Chart(canvas, {
                type: 'line',
                data: { labels: curve.epochs, datasets },
                options: {
                  animation: false,
                  responsive: true,
                  maintainAspectRatio: false,
                  interaction: { mode: 'index', intersect: false },
                  plugins: { title: { display: true, text: curve.name, font: { size: 14 } }, legend: { position: 'bottom' } },
                  scales: { x: { title: { display: true, text: 'epoch' } } },
                },
              });
              canvases.push(canvas);
            }
            for (const image of data.images) {
              const canvas = document.getElementById(image.id);
              const bytes = Uint8Array.from(atob(image.pixels), c => c.charCodeAt(0));
              const pixels = new ImageData(image.width, image.height);
              for (let i = 0, n = image.width * image.height; i < n; i++) {
                const at = i * image.channels;
                const [r, g, b] = image.channels >= 3 ? [bytes[at], bytes[at + 1], bytes[at + 2]] : [bytes[at], bytes[at], bytes[at]];
                pixels.data.set([r, g, b, image.channels === 4 ? bytes[at + 3] : 255], i * 4);
              }
              canvas.getContext('2d').putImageData(pixels, 0, 0);
            }
            const box = canvas => {
              const r = canvas.getBoundingClientRect();
              return { id: canvas.id, x: Math.round(r.left + scrollX), y: Math.round(r.top + scrollY), width: Math.round(r.width), height: Math.round(r.height) };
            };
            const page = document.documentElement;
            finish({ ok: true, charts: canvases.map(box), images: data.images.length, pageWidth: page.scrollWidth, pageHeight: page.scrollHeight });
          } catch (e) {
            finish({ ok: false, error: String(e && e.stack || e) });
          }
        })();
        """;
}
