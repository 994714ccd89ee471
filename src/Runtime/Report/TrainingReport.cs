using System.Globalization;
using System.Text;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Training;

namespace ModelDsl.Runtime.Report;

/// <summary>
/// What a training run looks like, as one self-contained HTML page (<see cref="Save"/>): the History's curves per
/// epoch, the model summary, and on a test set a confusion matrix and the worst-predicted samples. The page inlines
/// Chart.js and its data, so it opens anywhere, offline, as a single file.
/// </summary>
public sealed class TrainingReport
{
    public const int DefaultWorstCount = 24;

    private TrainingReport(
        string modelName,
        string summary,
        History history,
        IReadOnlyList<MetricCurve> curves,
        long testCount,
        ConfusionMatrix? confusion,
        IReadOnlyList<WorstSample> worst,
        string? classificationNote)
    {
        ModelName = modelName;
        Summary = summary;
        History = history;
        Curves = curves;
        TestCount = testCount;
        Confusion = confusion;
        Worst = worst;
        ClassificationNote = classificationNote;
    }

    public string ModelName { get; }

    /// <summary>The Keras-style summary the page shows (the generated model's <c>Summary()</c> when given).</summary>
    public string Summary { get; }

    public History History { get; }

    public IReadOnlyList<MetricCurve> Curves { get; }

    /// <summary>The test samples predicted; 0 without a test set.</summary>
    public long TestCount { get; }

    /// <summary>True class by predicted class over the test set; null without a test set or for a model that does not classify.</summary>
    public ConfusionMatrix? Confusion { get; }

    /// <summary>The test samples with the lowest probability of their true class, lowest first.</summary>
    public IReadOnlyList<WorstSample> Worst { get; }

    /// <summary>Why there is no confusion matrix and no worst samples, or null when there are.</summary>
    public string? ClassificationNote { get; }

    /// <summary>The version of Chart.js inlined into the page.</summary>
    public static string ChartLibraryVersion => ChartLibrary.Version;

    /// <summary>
    /// Builds the report of <paramref name="model"/> trained into <paramref name="history"/>. <paramref name="summary"/>:
    /// the generated model's <c>Summary()</c> (else a plain list of the layers). With <paramref name="test"/>, predicts
    /// it in inference mode, <paramref name="batchSize"/> samples at a time, for the confusion matrix and the
    /// <paramref name="worstCount"/> worst samples.
    /// </summary>
    public static TrainingReport Create(
        SequentialModel model,
        History history,
        string? summary = null,
        Dataset? test = null,
        int worstCount = DefaultWorstCount,
        int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentOutOfRangeException.ThrowIfNegative(worstCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var name = model.Config.Name;
        var text = string.IsNullOrWhiteSpace(summary) ? LayerList(model) : summary.TrimEnd();
        var curves = MetricCurve.FromHistory(history);
        if (test is null || test.Count == 0)
            return new TrainingReport(name, text, history, curves, 0, null, [], test is null ? "no test set was given" : "the test set is empty");

        var classification = Classification.Of(model, test, batchSize, out var note);
        if (classification is null)
            return new TrainingReport(name, text, history, curves, test.Count, null, [], note);

        var confusion = ConfusionMatrix.From(classification.Labels, classification.Predicted, classification.Classes);
        // OrderBy is stable: equal probabilities keep the test set's order.
        var worst = Enumerable.Range(0, classification.Labels.Length)
            .OrderBy(i => classification.LabelProbability[i])
            .Take(worstCount)
            .ToArray();
        var images = SampleImage.FromSamples(test.Inputs, worst.Select(i => (long)i).ToArray());
        var samples = worst.Select((i, rank) => new WorstSample(
            i,
            classification.Labels[i],
            classification.Predicted[i],
            classification.LabelProbability[i],
            classification.PredictedProbability[i],
            images?[rank])).ToArray();
        return new TrainingReport(name, text, history, curves, test.Count, confusion, samples, null);
    }

    /// <summary>The page: one HTML file with no external references.</summary>
    public string ToHtml() => ReportPage.Render(this);

    /// <summary>Writes the page to <paramref name="path"/> atomically (a temporary file renamed into place).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToHtml());

    /// <summary>
    /// Where the report of a History saved at <paramref name="historyPath"/> goes: beside it, <c>h.json</c> giving
    /// <c>h.report.html</c> (never the History's own name, whatever its extension).
    /// </summary>
    public static string PathBeside(string historyPath) => Path.ChangeExtension(historyPath, ".report.html");

    private static string LayerList(SequentialModel model)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Model: \"{model.Config.Name}\"\n");
        foreach (var (name, layer) in model.Layers)
            text.Append(CultureInfo.InvariantCulture, $" {$"{name} ({layer.GetType().Name})",-42}{layer.WeightCount,12:N0}\n");
        text.Append(CultureInfo.InvariantCulture, $"Total params: {model.WeightCount:N0}");
        return text.ToString();
    }
}
