using System.Globalization;
using System.Text.Json;
using ModelDsl.Runtime.Data;

namespace ModelDsl.Runtime.Tests.Data;

public sealed class CsvLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("modeldsl-csv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void CsvWrittenByPandasLoadsValueForValue()
    {
        var path = Path.Combine(_dir, "pandas.csv");
        // Awkward values on purpose: exponents, negatives, full float64 digits, labels with commas and quotes.
        var json = Python.Run("""
            import json, sys
            import numpy as np, pandas as pd
            rng = np.random.default_rng(4)
            n = 50
            frame = pd.DataFrame({
                "a": rng.normal(size=n) * 1e-8,
                "b": rng.normal(size=n) * 1e6,
                "label": rng.choice(["rain", "sun", 'fog, "thick"'], size=n),
                "c": rng.integers(-5, 5, size=n),
            })
            frame.to_csv(sys.argv[1], index=False)
            print(json.dumps({k: [v if isinstance(v, str) else float(v) for v in frame[k]] for k in frame.columns}))
            """, path);
        var expected = JsonDocument.Parse(json).RootElement;

        using var loaded = CsvLoader.Load(path, new CsvOptions { LabelColumn = "label" });
        Assert.Equal(["a", "b", "c"], loaded.Features);
        Assert.Equal(["fog, \"thick\"", "rain", "sun"], loaded.Classes!.Classes);
        var x = loaded.Data.Inputs.data<float>().ToArray();
        var y = loaded.Data.Targets.data<long>().ToArray();
        string[] columns = ["a", "b", "c"];
        for (int row = 0; row < 50; row++)
        {
            for (int f = 0; f < 3; f++)
                Assert.Equal((float)expected.GetProperty(columns[f])[row].GetDouble(), x[row * 3 + f]);
            Assert.Equal(expected.GetProperty("label")[row].GetString(), loaded.Classes[y[row]]);
        }
    }

    [Fact]
    public void NumbersParseTheSameUnderACommaDecimalCulture()
    {
        var path = Write("culture.csv", "x,y\n1.5,2.25\n-3e2,0.5\n");
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            using var loaded = CsvLoader.Load(path, new CsvOptions { LabelColumn = "y" });
            Assert.Equal([1.5f, -300f], loaded.Data.Inputs.data<float>().ToArray());
            Assert.Equal([2.25f, 0.5f], loaded.Data.Targets.data<float>().ToArray());
            Assert.Null(loaded.Classes);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void SeveralFilesJoinInOrderAndTheMappingRoundTrips()
    {
        var first = Write("1.csv", "f,kind\n1,b\n2,a\n");
        var second = Write("2.csv", "f,kind\n3,c\n");
        using var loaded = CsvLoader.Load([first, second], new CsvOptions { LabelColumn = "kind" });
        Assert.Equal([1f, 2f, 3f], loaded.Data.Inputs.data<float>().ToArray());
        Assert.Equal([1L, 0, 2], loaded.Data.Targets.data<long>().ToArray());

        var mappingPath = ClassMapping.PathBeside(Path.Combine(_dir, "model.ckpt"));
        loaded.Classes!.Save(mappingPath);
        var reread = ClassMapping.Load(mappingPath);
        Assert.Equal("kind", reread.Label);
        Assert.Equal(["a", "b", "c"], reread.Classes);

        // Test data through the saved mapping: the same indices, whatever labels it happens to hold.
        using var test = CsvLoader.Load(Write("3.csv", "f,kind\n9,c\n"), new CsvOptions { LabelColumn = "kind", Classes = reread });
        Assert.Equal([2L], test.Data.Targets.data<long>().ToArray());
    }

    [Fact]
    public void NonNumericCellIsNamedByFileRowAndColumn()
    {
        var path = Write("bad.csv", "a,b,label\n1,2,x\n3,n/a,y\n");
        var error = Assert.Throws<DataFileException>(() => CsvLoader.Load(path, new CsvOptions { LabelColumn = "label" }));
        Assert.Equal($"{path}: row 3, column 'b' (2): found 'n/a', expected a number", error.Message);
        var empty = Write("empty.csv", "a,b,label\n1,,x\n");
        var emptyError = Assert.Throws<DataFileException>(() => CsvLoader.Load(empty, new CsvOptions { LabelColumn = "label" }));
        Assert.Equal($"{empty}: row 2, column 'b' (2): found an empty cell, expected a number", emptyError.Message);
    }

    [Fact]
    public void RaggedRowIsNamed()
    {
        var path = Write("ragged.csv", "a,b,label\n1,2,x\n3,4\n");
        var error = Assert.Throws<DataFileException>(() => CsvLoader.Load(path, new CsvOptions { LabelColumn = "label" }));
        Assert.Equal($"{path}: row 3: found 2 fields, expected 3, one per header column", error.Message);
    }

    [Fact]
    public void LabelOutsideTheSavedMappingIsNamed()
    {
        var path = Write("labels.csv", "a,weather\n1,sun\n2,hail\n");
        var classes = new ClassMapping("weather", ["rain", "sun"]);
        var error = Assert.Throws<DataFileException>(() =>
            CsvLoader.Load(path, new CsvOptions { LabelColumn = "weather", Classes = classes }));
        Assert.Equal($"{path}: row 3, column 'weather' (2): found 'hail', expected one of the 2 classes of 'weather': rain, sun", error.Message);
    }

    [Fact]
    public void MissingColumnAndMismatchedHeadersAreNamed()
    {
        var path = Write("a.csv", "a,b\n1,2\n");
        var missing = Assert.Throws<ArgumentException>(() => CsvLoader.Load(path, new CsvOptions { LabelColumn = "weather" }));
        Assert.Contains($"{path} has no column 'weather'; its columns are 'a', 'b'", missing.Message);
        var other = Write("b.csv", "a,c\n1,2\n");
        var header = Assert.Throws<DataFileException>(() => CsvLoader.Load([path, other], new CsvOptions { LabelColumn = "b" }));
        Assert.Equal($"{other}: the header: found 'a', 'c', expected the columns of {path}: 'a', 'b'", header.Message);
    }
}
