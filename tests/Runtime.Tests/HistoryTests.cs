using System.Text.Json;
using ModelDsl.Runtime.Training;

namespace ModelDsl.Runtime.Tests;

public sealed class HistoryTests
{
    private static History TwoEpochs()
    {
        var history = new History();
        history.Add(0, new Dictionary<string, double> { ["loss"] = 0.5, ["accuracy"] = 0.8, ["val_loss"] = 0.25, ["val_accuracy"] = 0.9 });
        history.Add(1, new Dictionary<string, double> { ["loss"] = 0.25, ["accuracy"] = 0.9, ["val_loss"] = double.NaN, ["val_accuracy"] = 0.95 });
        return history;
    }

    [Fact]
    public void JsonIsADictOfEqualLengthLists()
    {
        using var json = JsonDocument.Parse(TwoEpochs().ToJson());

        var columns = json.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);

        Assert.Equal(["epoch", "loss", "accuracy", "val_loss", "val_accuracy"], columns.Keys);
        Assert.All(columns.Values, c => Assert.Equal(2, c.GetArrayLength()));
        Assert.Equal([0, 1], columns["epoch"].EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(0.9, columns["accuracy"][1].GetDouble());
        // JSON has no NaN: pandas reads null as NaN.
        Assert.Equal(JsonValueKind.Null, columns["val_loss"][1].ValueKind);
    }

    [Fact]
    public void SavedHistoryLoadsBack()
    {
        var path = Path.Combine(Path.GetTempPath(), $"history-{Guid.NewGuid():N}.json");
        try
        {
            TwoEpochs().Save(path);

            var loaded = History.Load(path);

            Assert.Equal([0, 1], loaded.Epoch);
            Assert.Equal([0.5, 0.25], loaded["loss"]);
            Assert.True(double.IsNaN(loaded["val_loss"][1]));
            Assert.Equal(["loss", "accuracy", "val_loss", "val_accuracy"], loaded.Keys);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void KeyAddedLaterIsPaddedSoListsStayAligned()
    {
        var history = TwoEpochs();
        history.Add(2, new Dictionary<string, double> { ["loss"] = 0.1, ["learning_rate"] = 1e-4 });

        Assert.Equal(3, history["learning_rate"].Count);
        Assert.True(double.IsNaN(history["learning_rate"][0]));
        Assert.True(double.IsNaN(history["accuracy"][2]));
    }

    [Fact]
    public void UnknownKeyNamesTheKnownOnes()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => TwoEpochs()["acc"]);

        Assert.Contains("val_accuracy", error.Message);
    }
}
