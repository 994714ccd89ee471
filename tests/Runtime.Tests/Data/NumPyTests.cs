using System.Text.Json;
using ModelDsl.Runtime.Data;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Data;

public sealed class NumPyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("modeldsl-npy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Writes each array with numpy itself and prints its dtype, shape and values in C order.
    private const string Writer = """
        import json, os, sys
        import numpy as np
        out = sys.argv[1]
        rng = np.random.default_rng(7)
        arrays = {
            "f4_c": rng.normal(size=(3, 4, 5)).astype("<f4"),
            "f4_fortran": np.asfortranarray(rng.normal(size=(3, 4, 5)).astype("<f4")),
            "f8_fortran2d": np.asfortranarray(rng.normal(size=(6, 7))),
            "f4_big": rng.normal(size=(4, 3)).astype(">f4"),
            "i8_big": rng.integers(-10**12, 10**12, size=(5,)).astype(">i8"),
            "f2": rng.normal(size=(2, 3)).astype("<f2"),
            "i1": rng.integers(-128, 127, size=(9,)).astype("i1"),
            "i2": rng.integers(-3000, 3000, size=(2, 2)).astype("<i2"),
            "i4": rng.integers(-10**9, 10**9, size=(4, 1)).astype("<i4"),
            "i8": rng.integers(-10**15, 10**15, size=(3,)).astype("<i8"),
            "u1": rng.integers(0, 255, size=(2, 4, 4, 3)).astype("u1"),
            "b1": rng.random(size=(7,)) > 0.5,
        }
        for name, array in arrays.items():
            np.save(os.path.join(out, name + ".npy"), array)
        np.savez(os.path.join(out, "plain.npz"), x=arrays["f4_c"], y=arrays["i8"][:3])
        np.savez_compressed(os.path.join(out, "compressed.npz"), x=arrays["f4_fortran"], y=np.arange(3))
        print(json.dumps({name: {"dtype": a.dtype.str, "shape": list(a.shape),
                                 "values": [float(v) for v in a.ravel(order="C")]} for name, a in arrays.items()}))
        """;

    [Fact]
    public void EveryDtypeAndOrderRoundTripsFromNumPy()
    {
        var expected = JsonDocument.Parse(Python.Run(Writer, _dir)).RootElement;
        foreach (var array in expected.EnumerateObject())
        {
            using var loaded = NumPy.LoadNpy(Path.Combine(_dir, array.Name + ".npy"));
            AssertSame(array.Value, loaded, array.Name);
        }
        using var fortran = NumPy.LoadNpy(Path.Combine(_dir, "f4_fortran.npy"));
        Assert.True(fortran.is_contiguous());
        Assert.Equal(ScalarType.Float16, NumPy.LoadNpy(Path.Combine(_dir, "f2.npy")).dtype);
        Assert.Equal(ScalarType.Bool, NumPy.LoadNpy(Path.Combine(_dir, "b1.npy")).dtype);
    }

    [Fact]
    public void NpzArchivesStoredAndDeflatedLoadAsDatasets()
    {
        var expected = JsonDocument.Parse(Python.Run(Writer, _dir)).RootElement;
        var all = NumPy.LoadNpz(Path.Combine(_dir, "plain.npz"));
        Assert.Equal(["x", "y"], all.Keys.Order());
        AssertSame(expected.GetProperty("f4_c"), all["x"], "plain.npz x");
        foreach (var tensor in all.Values)
            tensor.Dispose();

        using var data = Dataset.FromNpz(Path.Combine(_dir, "compressed.npz"));
        AssertSame(expected.GetProperty("f4_fortran"), data.Inputs, "compressed.npz x");
        Assert.Equal([0L, 1, 2], data.Targets.data<long>().ToArray());
        using var pair = Dataset.FromNpy(Path.Combine(_dir, "u1.npy"), Path.Combine(_dir, "i2.npy"));
        Assert.Equal([2L, 4, 4, 3], pair.Inputs.shape);
    }

    [Fact]
    public void BadFilesAreNamed()
    {
        var text = Path.Combine(_dir, "text.npy");
        File.WriteAllText(text, "x,y\n1,2\n");
        var magic = Assert.Throws<DataFileException>(() => NumPy.LoadNpy(text));
        Assert.Equal($"{text}: the header: found the bytes 782C790A312C, expected the NumPy magic 934E554D5059 (a .npy file written by np.save)", magic.Message);

        Python.Run("""
            import sys, numpy as np
            np.save(sys.argv[1] + "/complex.npy", np.zeros(3, dtype=np.complex64))
            np.save(sys.argv[1] + "/strings.npy", np.array(["a", "bc"]))
            np.save(sys.argv[1] + "/whole.npy", np.zeros((10, 10), dtype="<f4"))
            """, _dir);
        var complex = Assert.Throws<DataFileException>(() => NumPy.LoadNpy(Path.Combine(_dir, "complex.npy")));
        Assert.StartsWith($"{Path.Combine(_dir, "complex.npy")}: the header: found dtype '<c8', expected a dtype the models take", complex.Message);
        var strings = Assert.Throws<DataFileException>(() => NumPy.LoadNpy(Path.Combine(_dir, "strings.npy")));
        Assert.Contains("found dtype '<U2'", strings.Message);

        var whole = File.ReadAllBytes(Path.Combine(_dir, "whole.npy"));
        var truncated = Path.Combine(_dir, "truncated.npy");
        File.WriteAllBytes(truncated, whole[..^40]);
        var cut = Assert.Throws<DataFileException>(() => NumPy.LoadNpy(truncated));
        Assert.Equal($"{truncated}: the data: found 360 bytes, expected 400 bytes for a <f4 array of shape (10, 10)", cut.Message);

        Python.Run("import sys, numpy as np; np.savez(sys.argv[1] + '/pair.npz', features=np.zeros(2), labels=np.zeros(2))", _dir);
        var key = Assert.Throws<DataFileException>(() => Dataset.FromNpz(Path.Combine(_dir, "pair.npz")));
        Assert.Equal($"{Path.Combine(_dir, "pair.npz")}: array 'x': found no such array, expected one of 'features', 'labels'", key.Message);
    }

    private static void AssertSame(JsonElement expected, Tensor actual, string name)
    {
        Assert.True(expected.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).SequenceEqual(actual.shape),
            $"{name}: shape ({string.Join(", ", actual.shape)})");
        using var wide = actual.to(ScalarType.Float64).contiguous();
        var values = wide.data<double>().ToArray();
        var wanted = expected.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(wanted.Length, values.Length);
        for (int i = 0; i < wanted.Length; i++)
            Assert.True(wanted[i] == values[i], $"{name}[{i}]: expected {wanted[i]}, got {values[i]}");
    }
}
