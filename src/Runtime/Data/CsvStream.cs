using CsvHelper;

namespace ModelDsl.Runtime.Data;

/// <summary>A CSV dataset read from disk batch by batch, with the names it came from.</summary>
public sealed record CsvStream(StreamingDataset Data, IReadOnlyList<string> Features, ClassMapping? Classes) : IDisposable
{
    public void Dispose() => Data.Dispose();
}

public static partial class CsvLoader
{
    /// <summary>
    /// The dataset <see cref="Load(IEnumerable{string}, CsvOptions)"/> gives, read from disk batch by batch: for CSV files
    /// larger than memory. One pass first checks every cell (a bad one is named before training starts, not an hour in)
    /// and keeps only each row's byte offset and label; batches then parse just their rows.
    /// </summary>
    public static CsvStream Stream(IEnumerable<string> paths, CsvOptions options, int prefetchBatches = StreamingDataset.DefaultPrefetchBatches)
    {
        ArgumentNullException.ThrowIfNull(options);
        var reader = CsvRowReader.Index(paths.ToArray(), options);
        return new CsvStream(new StreamingDataset(reader, prefetchBatches), reader.Features, reader.Classes);
    }

    /// <summary>Streams one file; see <see cref="Stream(IEnumerable{string}, CsvOptions, int)"/>.</summary>
    public static CsvStream Stream(string path, CsvOptions options, int prefetchBatches = StreamingDataset.DefaultPrefetchBatches) =>
        Stream([path], options, prefetchBatches);
}

/// <summary>Reads single CSV rows by their byte offsets, found and checked by one pass over the files.</summary>
internal sealed class CsvRowReader : SampleReader
{
    // The indexing pass reads whole files; per-sample reads parse one record (the reader grows it for longer ones).
    private const int IndexBufferBytes = 1 << 16;
    private const int RecordBufferBytes = 1 << 12;

    private readonly string[] _files;
    private readonly int[] _fileOfRow;
    private readonly long[] _offsets;
    private readonly int[] _columns;
    private readonly long[]? _classIndices;
    private readonly float[]? _values;
    private readonly char _separator;
    private readonly int _labelColumn;
    private readonly string _labelName;

    private CsvRowReader(string[] files, int[] fileOfRow, long[] offsets, int[] columns, long[]? classIndices, float[]? values,
        char separator, int labelColumn, string labelName, IReadOnlyList<string> features, ClassMapping? classes)
    {
        _files = files;
        _fileOfRow = fileOfRow;
        _offsets = offsets;
        _columns = columns;
        _classIndices = classIndices;
        _values = values;
        _separator = separator;
        _labelColumn = labelColumn;
        _labelName = labelName;
        Features = features;
        Classes = classes;
        InputShape = [columns.Length];
    }

    public IReadOnlyList<string> Features { get; }
    public ClassMapping? Classes { get; }
    public override long Count => _offsets.Length;
    public override long[] InputShape { get; }
    public override ScalarType InputType => ScalarType.Float32;
    public override long[] TargetShape => [];
    public override ScalarType TargetType => _classIndices is null ? ScalarType.Float32 : ScalarType.Int64;

    public static CsvRowReader Index(string[] paths, CsvOptions options)
    {
        if (paths.Length == 0)
            throw new ArgumentException("no CSV files given", nameof(paths));
        string[]? header = null;
        int label = -1;
        int[] columns = [];
        string[] features = [];
        var fileOfRow = new List<int>();
        var offsets = new List<long>();
        var labelText = new List<int>();
        var labelIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstSeen = new List<(string File, long Line)>();
        var labelValues = new List<float>();
        bool allNumeric = true;
        for (int file = 0; file < paths.Length; file++)
        {
            var path = paths[file];
            if (!File.Exists(path))
                throw new FileNotFoundException($"{path}: no such CSV file", path);
            using var csv = CsvReader.FromFile(path, Options(options.Separator, hasHeader: true));
            var names = csv.Headers.ToArray();
            if (header is null)
            {
                header = names;
                label = Index(header, options.LabelColumn, path);
                features = (options.FeatureColumns ?? header.Where((_, i) => i != label).ToArray()).ToArray();
                if (features.Length == 0)
                    throw new ArgumentException("a CSV dataset needs at least one feature column", nameof(options));
                if (features.Contains(options.LabelColumn, StringComparer.Ordinal))
                    throw new ArgumentException($"column '{options.LabelColumn}' is the label and cannot also be a feature", nameof(options));
                columns = features.Select(f => Index(header, f, path)).ToArray();
            }
            else if (!names.SequenceEqual(header, StringComparer.Ordinal))
            {
                throw new DataFileException(path, "the header", Quote(names), $"the columns of {paths[0]}: {Quote(header)}");
            }
            while (Next(csv, path))
            {
                long line = csv.LineNumber;
                if (csv.FieldCount != header.Length)
                    throw new DataFileException(path, $"row {line}", $"{csv.FieldCount} fields", $"{header.Length}, one per header column");
                foreach (var column in columns)
                {
                    var text = csv.GetString(column);
                    if (!CsvTable.TryParseNumber(text, out _))
                        throw Bad(path, line, header, column, text, "a number");
                }
                var labelCell = csv.GetString(label);
                bool numeric = CsvTable.TryParseNumber(labelCell, out var labelValue);
                allNumeric &= numeric;
                if (!labelIds.TryGetValue(labelCell, out var id))
                {
                    labelIds[labelCell] = id = labelIds.Count;
                    firstSeen.Add((path, line));
                }
                labelText.Add(id);
                labelValues.Add(labelValue);
                if (options.Labels == CsvLabels.Numeric && !numeric)
                    throw Bad(path, line, header, label, labelCell, "a number");
                fileOfRow.Add(file);
                offsets.Add(csv.ByteOffset);
            }
        }

        var kind = options.Labels == CsvLabels.Auto
            ? (options.Classes is null && allNumeric ? CsvLabels.Numeric : CsvLabels.Categorical)
            : options.Labels;
        if (kind == CsvLabels.Numeric)
            return new CsvRowReader(paths, fileOfRow.ToArray(), offsets.ToArray(), columns, null, labelValues.ToArray(),
                options.Separator, label, options.LabelColumn, features, null);

        var found = labelIds.OrderBy(p => p.Value).Select(p => p.Key).ToArray();
        var classes = options.Classes ?? ClassMapping.FromLabels(options.LabelColumn, found);
        var remap = new long[found.Length];
        for (int id = 0; id < found.Length; id++)
        {
            remap[id] = classes.IndexOf(found[id]);
            if (remap[id] < 0)
            {
                var (file, line) = firstSeen[id];
                throw new DataFileException(file, $"row {line}, column '{options.LabelColumn}' ({label + 1})",
                    found[id].Length == 0 ? "an empty label" : $"'{found[id]}'",
                    $"one of the {classes.Count} classes of '{classes.Label}': {string.Join(", ", classes.Classes)}");
            }
        }
        return new CsvRowReader(paths, fileOfRow.ToArray(), offsets.ToArray(), columns, labelText.Select(id => remap[id]).ToArray(), null,
            options.Separator, label, options.LabelColumn, features, classes);
    }

    public override void ReadSample(long index, Span<byte> input, Span<byte> target)
    {
        int row = checked((int)index);
        int file = _fileOfRow[row];
        using var stream = new FileStream(_files[file], FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        stream.Position = _offsets[row];
        using var csv = CsvReader.Create(stream, Options(_separator, hasHeader: false), leaveOpen: true);
        if (!csv.Read())
            throw new DataFileException(_files[file], $"the row at byte {_offsets[row]}", "the end of the file", "the row indexed before training; was the file changed?");
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(input);
        for (int f = 0; f < _columns.Length; f++)
        {
            var text = csv.GetString(_columns[f]);
            if (!CsvTable.TryParseNumber(text, out values[f]))
                throw new DataFileException(_files[file], $"the row at byte {_offsets[row]}", $"'{text}'", "the number indexed before training; was the file changed?");
        }
        if (_classIndices is not null)
            BitConverter.TryWriteBytes(target, _classIndices[row]);
        else
            BitConverter.TryWriteBytes(target, _values![row]);
    }

    /// <summary>Known from the indexing pass for categorical labels; numeric labels are checked as they are read.</summary>
    public override long? ClassIndex(long index) => _classIndices?[checked((int)index)];

    public override DataFileException LabelError(long index, double label, string expected)
    {
        int row = checked((int)index);
        var found = Classes is null
            ? $"label {FormatLabel(label)}"
            : $"'{Classes[(long)label]}', class index {FormatLabel(label)} of {Classes.Count}";
        return new DataFileException(_files[_fileOfRow[row]], $"row {LineOf(row)}, column '{_labelName}' ({_labelColumn + 1})", found, expected);
    }

    /// <summary>
    /// The line <paramref name="row"/> starts on, as the indexing pass numbered it: found again by reading its file up to
    /// it (only for a message, so the index keeps a byte offset per row and no line numbers).
    /// </summary>
    private long LineOf(int row)
    {
        int file = _fileOfRow[row];
        int first = row;
        while (first > 0 && _fileOfRow[first - 1] == file)
            first--;
        using var csv = CsvReader.FromFile(_files[file], Options(_separator, hasHeader: true));
        for (int i = first; i <= row; i++)
            csv.Read();
        return csv.LineNumber;
    }

    private static CsvReaderOptions Options(char separator, bool hasHeader) => new()
    {
        Separator = separator,
        HasHeader = hasHeader,
        TrackLineNumbers = hasHeader,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
        MalformedData = CsvMalformedDataHandling.Throw,
        BufferSize = hasHeader ? IndexBufferBytes : RecordBufferBytes,
    };

    private static bool Next(CsvReader csv, string path)
    {
        try
        {
            return csv.Read();
        }
        catch (CsvFormatException e)
        {
            throw new DataFileException(path, $"row {e.LineNumber}", $"malformed CSV ({e.Message})", "RFC 4180 fields");
        }
    }

    private static int Index(string[] header, string name, string path)
    {
        int index = Array.IndexOf(header, name);
        return index >= 0 ? index : throw new ArgumentException($"{path} has no column '{name}'; its columns are {Quote(header)}", nameof(name));
    }

    private static DataFileException Bad(string path, long line, string[] header, int column, string text, string expected) =>
        new(path, $"row {line}, column '{header[column]}' ({column + 1})", text.Length == 0 ? "an empty cell" : $"'{text}'", expected);

    private static string Quote(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}
