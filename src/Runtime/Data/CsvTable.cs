using System.Globalization;
using CsvHelper;

namespace ModelDsl.Runtime.Data;

/// <summary>
/// One or more CSV files with the same header, read as text (CsvHelper, RFC 4180 quoting): what
/// <see cref="CsvLoader"/> builds datasets from, and what an application reads extra columns (a date) from. Every row
/// keeps its file and line, so a bad cell is named where it is. A row with more or fewer fields than the header is an
/// error, never padded or cut.
/// </summary>
public sealed class CsvTable
{
    private readonly Dictionary<string, int> _columnIndex;
    private readonly List<string[]> _rows = [];
    private readonly List<(int File, long Line)> _origins = [];
    private readonly List<string> _files = [];

    private CsvTable(IReadOnlyList<string> columns)
    {
        Columns = columns;
        _columnIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < columns.Count; i++)
            _columnIndex.TryAdd(columns[i], i);
    }

    /// <summary>The header's column names, in file order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Data rows (the header not counted), over all files.</summary>
    public int RowCount => _rows.Count;

    /// <summary>Reads <paramref name="paths"/> in order; every file must have the first one's header.</summary>
    /// <param name="separator">The field separator; <c>','</c> as pandas writes.</param>
    public static CsvTable Read(IEnumerable<string> paths, char separator = ',')
    {
        ArgumentNullException.ThrowIfNull(paths);
        CsvTable? table = null;
        foreach (var path in paths)
        {
            if (!File.Exists(path))
                throw new FileNotFoundException($"{path}: no such CSV file", path);
            using var csv = CsvReader.FromFile(path, new CsvReaderOptions
            {
                Separator = separator,
                HasHeader = true,
                TrackLineNumbers = true,
                FieldCountMismatch = CsvFieldCountHandling.Allow,
                MalformedData = CsvMalformedDataHandling.Throw,
            });
            IReadOnlyList<string> header;
            try
            {
                header = csv.Headers.ToArray();
            }
            catch (CsvFormatException e)
            {
                throw new DataFileException(path, "the header", $"malformed CSV ({e.Message})", "a header row of column names");
            }
            if (header.Count == 0)
                throw new DataFileException(path, "the header", "an empty file", "a header row of column names");
            table ??= new CsvTable(header);
            if (!header.SequenceEqual(table.Columns, StringComparer.Ordinal))
                throw new DataFileException(path, "the header", Quote(header), $"the columns of {table._files[0]}: {Quote(table.Columns)}");
            table._files.Add(path);
            table.ReadRows(csv, path);
        }
        return table ?? throw new ArgumentException("no CSV files given", nameof(paths));
    }

    /// <summary>Reads one file.</summary>
    public static CsvTable Read(string path, char separator = ',') => Read([path], separator);

    private void ReadRows(CsvReader csv, string path)
    {
        int file = _files.Count - 1;
        while (true)
        {
            try
            {
                if (!csv.Read())
                    return;
            }
            catch (CsvFormatException e)
            {
                throw new DataFileException(path, $"row {e.LineNumber}", $"malformed CSV ({e.Message})", "RFC 4180 fields");
            }
            long line = csv.LineNumber;
            if (csv.FieldCount != Columns.Count)
                throw new DataFileException(path, $"row {line}", $"{csv.FieldCount} fields", $"{Columns.Count}, one per header column");
            var row = new string[Columns.Count];
            for (int i = 0; i < row.Length; i++)
                row[i] = csv.GetString(i);
            _rows.Add(row);
            _origins.Add((file, line));
        }
    }

    /// <summary>The index of column <paramref name="name"/>; a named error listing the columns when there is none.</summary>
    public int ColumnIndex(string name) => _columnIndex.TryGetValue(name, out var index)
        ? index
        : throw new ArgumentException($"{_files[0]} has no column '{name}'; its columns are {Quote(Columns)}", nameof(name));

    /// <summary>The cell at <paramref name="row"/> (0-based data row) and <paramref name="column"/>, as written.</summary>
    public string Cell(int row, int column) => _rows[row][column];

    /// <summary>Every value of column <paramref name="name"/>, as written.</summary>
    public string[] Column(string name)
    {
        int column = ColumnIndex(name);
        return _rows.Select(r => r[column]).ToArray();
    }

    /// <summary>Column <paramref name="name"/> as numbers, parsed the same on every machine (invariant culture).</summary>
    /// <exception cref="DataFileException">A cell that is empty or not a number, named by file, row and column.</exception>
    public float[] Numbers(string name)
    {
        int column = ColumnIndex(name);
        var values = new float[_rows.Count];
        for (int row = 0; row < values.Length; row++)
            values[row] = Number(row, column);
        return values;
    }

    /// <summary>The number in one cell; a named error when it is empty or not a number.</summary>
    public float Number(int row, int column)
    {
        var text = _rows[row][column];
        if (TryParseNumber(text, out var value))
            return value;
        throw BadCell(row, column, text.Length == 0 ? "an empty cell" : $"'{text}'", "a number");
    }

    /// <summary>
    /// Invariant-culture floats; also pandas' spellings of the infinities ("inf", "-inf"). An empty cell (pandas' NaN)
    /// is not a number here: a missing value is the user's to fill, not the loader's to guess.
    /// </summary>
    internal static bool TryParseNumber(string text, out float value)
    {
        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            return true;
        switch (text.Trim())
        {
            case "inf" or "+inf":
                value = float.PositiveInfinity;
                return true;
            case "-inf":
                value = float.NegativeInfinity;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The error for a bad cell, at its file, line and column.</summary>
    public DataFileException BadCell(int row, int column, string found, string expected)
    {
        var (file, line) = _origins[row];
        return new DataFileException(_files[file], $"row {line}, column '{Columns[column]}' ({column + 1})", found, expected);
    }

    private static string Quote(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}
