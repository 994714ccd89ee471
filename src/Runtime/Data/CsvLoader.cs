namespace ModelDsl.Runtime.Data;

/// <summary>How <see cref="CsvLoader"/> reads a label column.</summary>
public enum CsvLabels
{
    /// <summary>Numbers when every label is a number, else categories.</summary>
    Auto,
    /// <summary>Names mapped to class indices (int64) in ordinal order, or through <see cref="CsvOptions.Classes"/>.</summary>
    Categorical,
    /// <summary>Numbers (float32): regression targets, or class indices already written as numbers.</summary>
    Numeric,
}

/// <summary>Which columns of a CSV are the features and which the label.</summary>
public sealed record CsvOptions
{
    /// <summary>The target column.</summary>
    public required string LabelColumn { get; init; }

    /// <summary>The feature columns, in the order the model takes them; null: every column but the label.</summary>
    public IReadOnlyList<string>? FeatureColumns { get; init; }

    public CsvLabels Labels { get; init; } = CsvLabels.Auto;

    /// <summary>
    /// The mapping to use (the one saved with a model, for its test data): a label outside it is an error. Null: built
    /// from the labels found.
    /// </summary>
    public ClassMapping? Classes { get; init; }

    public char Separator { get; init; } = ',';
}

/// <summary>A dataset read from CSV, with the names it came from.</summary>
/// <param name="Data">Inputs (samples, features) float32; targets (samples) int64 class indices or float32 values.</param>
/// <param name="Features">The feature columns, in input order.</param>
/// <param name="Classes">The label mapping for categorical labels; null for numeric ones.</param>
public sealed record CsvData(Dataset Data, IReadOnlyList<string> Features, ClassMapping? Classes) : IDisposable
{
    public void Dispose() => Data.Dispose();
}

/// <summary>Datasets from CSV files with a header: feature columns and a label column chosen by name.</summary>
public static partial class CsvLoader
{
    /// <summary>Reads <paramref name="path"/>; see <see cref="Load(IEnumerable{string}, CsvOptions)"/>.</summary>
    public static CsvData Load(string path, CsvOptions options) => Load([path], options);

    /// <summary>
    /// Reads <paramref name="paths"/> (one header, the same in each) into one dataset, in file and row order. Numbers are
    /// parsed in the invariant culture, whatever the machine's; every cell is checked, and the first bad one is reported
    /// by file, row and column (<see cref="DataFileException"/>).
    /// </summary>
    public static CsvData Load(IEnumerable<string> paths, CsvOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var table = CsvTable.Read(paths, options.Separator);
        return FromTable(table, options);
    }

    /// <summary>A dataset from a table already read (for columns an application derives itself).</summary>
    public static CsvData FromTable(CsvTable table, CsvOptions options)
    {
        int label = table.ColumnIndex(options.LabelColumn);
        var features = (options.FeatureColumns ?? table.Columns.Where((_, i) => i != label).ToArray()).ToArray();
        if (features.Length == 0)
            throw new ArgumentException("a CSV dataset needs at least one feature column", nameof(options));
        if (features.Contains(options.LabelColumn, StringComparer.Ordinal))
            throw new ArgumentException($"column '{options.LabelColumn}' is the label and cannot also be a feature", nameof(options));
        var columns = features.Select(table.ColumnIndex).ToArray();

        int rows = table.RowCount;
        var x = new float[(long)rows * columns.Length];
        for (int row = 0; row < rows; row++)
        {
            for (int f = 0; f < columns.Length; f++)
                x[(long)row * columns.Length + f] = table.Number(row, columns[f]);
        }

        var labelKind = options.Labels;
        if (labelKind == CsvLabels.Auto)
        {
            labelKind = options.Classes is null && Enumerable.Range(0, rows).All(r => CsvTable.TryParseNumber(table.Cell(r, label), out _))
                ? CsvLabels.Numeric
                : CsvLabels.Categorical;
        }
        using var scope = NewDisposeScope();
        var inputs = tensor(x, [rows, columns.Length]);
        if (labelKind == CsvLabels.Numeric)
        {
            var values = new float[rows];
            for (int row = 0; row < rows; row++)
                values[row] = table.Number(row, label);
            return new CsvData(new Dataset(inputs, tensor(values)), features, null);
        }

        var classes = options.Classes ?? ClassMapping.FromLabels(options.LabelColumn, Enumerable.Range(0, rows).Select(r => table.Cell(r, label)));
        var indices = new long[rows];
        for (int row = 0; row < rows; row++)
        {
            var text = table.Cell(row, label);
            int index = classes.IndexOf(text);
            if (index < 0)
                throw table.BadCell(row, label, text.Length == 0 ? "an empty label" : $"'{text}'",
                    $"one of the {classes.Count} classes of '{classes.Label}': {string.Join(", ", classes.Classes)}");
            indices[row] = index;
        }
        return new CsvData(new Dataset(inputs, tensor(indices)), features, classes);
    }
}
