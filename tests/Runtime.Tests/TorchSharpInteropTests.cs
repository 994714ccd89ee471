using System.Diagnostics;
using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Losses;
using ModelDsl.Runtime.Metrics;
using ModelDsl.Runtime.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests;

/// <summary>
/// What a TorchSharp user expects of a generated model: it is an <c>nn.Module&lt;Tensor, Tensor&gt;</c> with Keras'
/// names, that composes into their own modules, trains under <c>torch.optim</c>, follows <c>train()</c>/<c>eval()</c>
/// and <c>to()</c>, saves in TorchSharp's format, and exchanges state_dicts with PyTorch through TorchSharp.PyBridge.
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class TorchSharpInteropTests : IDisposable
{
    // Debian's interpreter, the one python3-torch installs into, whatever `python3` a PATH points at first.
    private const string Python = "/usr/bin/python3";

    // The script's exit status when `import torch` fails (its sys.exit(3)).
    private const int NoTorchExitCode = 3;

    // The TinyLstm network by hand in PyTorch, in Keras' layouts and gate order (i, f, c, o; one bias), with random
    // (not Keras-initialised) weights so every gate matters. "export DIR" writes its state_dict to DIR/torch.pt;
    // "import DIR" loads DIR/sharp.pt into it. Both then write DIR/<command>-io.pt: a fixed input x and the outputs y.
    private const string Script = """
        import sys
        try:
            import torch
        except ImportError as error:
            print(error, file=sys.stderr)
            sys.exit(3)

        TIME, FEATURES, UNITS, CLASSES = 5, 3, 4, 3

        class KerasLstm(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.kernel = torch.nn.Parameter(torch.randn(FEATURES, 4 * UNITS) * 0.5)
                self.recurrent_kernel = torch.nn.Parameter(torch.randn(UNITS, 4 * UNITS) * 0.5)
                self.bias = torch.nn.Parameter(torch.randn(4 * UNITS) * 0.5)

            def forward(self, x):
                h = x.new_zeros(x.shape[0], UNITS)
                c = x.new_zeros(x.shape[0], UNITS)
                for t in range(x.shape[1]):
                    i, f, g, o = (x[:, t] @ self.kernel + h @ self.recurrent_kernel + self.bias).chunk(4, 1)
                    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.relu(g)
                    h = torch.sigmoid(o) * torch.relu(c)
                return h

        class KerasDense(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.kernel = torch.nn.Parameter(torch.randn(UNITS, CLASSES))
                self.bias = torch.nn.Parameter(torch.randn(CLASSES))

            def forward(self, x):
                return x @ self.kernel + self.bias

        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = KerasLstm()
                self.dense = KerasDense()

            def forward(self, x):
                return torch.softmax(self.dense(self.lstm(x)), -1)

        command, directory = sys.argv[1], sys.argv[2]
        torch.manual_seed(0)
        net = Net()
        x = torch.randn(6, TIME, FEATURES)
        if command == "export":
            torch.save(net.state_dict(), f"{directory}/torch.pt")
        else:
            net.load_state_dict(torch.load(f"{directory}/sharp.pt"))
        with torch.no_grad():
            torch.save({"x": x, "y": net(x)}, f"{directory}/{command}-io.pt")
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("modeldsl-interop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ParametersAreKerasWeightsUnderKerasNames()
    {
        using var model = new ReferenceModel(CPU);

        // Keras' summary of the reference model: 216,426, one bias per LSTM (PyTorch's nn.LSTM would have two).
        Assert.Equal(216_426, model.parameters().Sum(p => p.numel()));
        string[] names =
        [
            "lstm.kernel", "lstm.recurrent_kernel", "lstm.bias",
            "lstm_1.kernel", "lstm_1.recurrent_kernel", "lstm_1.bias",
            "dense.kernel", "dense.bias",
            "dense_1.kernel", "dense_1.bias",
        ];
        Assert.Equal(names, model.named_parameters().Select(p => p.name));
        Assert.Equal(names, model.state_dict().Keys);
        // Keras' layouts: (features, 4 units), (units, 4 units), (4 units).
        Assert.Equal([28, 512], model.Lstm.Kernel.shape);
        Assert.Equal([128, 512], model.Lstm.RecurrentKernel.shape);
        Assert.Equal([512], model.Lstm.Bias!.shape);
        Assert.Equal(["lstm", "dropout", "lstm_1", "dropout_1", "dense", "dropout_2", "dense_1"], model.named_children().Select(c => c.name));
    }

    [Fact]
    public void TrainsAsASubmoduleUnderTorchOptimAdam()
    {
        using var outer = new Classifier(new TinyLstm(seed: 1));
        using var x = Inputs(32, seed: 1);
        // A learnable rule: the sign of the first feature summed over time.
        using var y = x.select(2, 0).sum(1).gt(0).to(ScalarType.Int64);

        Assert.Equal(outer.Body.parameters().Count() + 2, outer.parameters().Count());
        Assert.Contains("body.lstm.recurrent_kernel", outer.named_parameters().Select(p => p.name));
        using var initialKernel = outer.Body.Lstm.Kernel.detach().clone();

        var before = EvalLoss(outer, x, y);
        using var adam = optim.Adam(outer.parameters(), lr: 0.02);
        outer.train();
        for (var step = 0; step < 60; step++)
        {
            using var scope = NewDisposeScope();
            adam.zero_grad();
            nn.functional.cross_entropy(outer.call(x), y).backward();
            adam.step();
        }
        var after = EvalLoss(outer, x, y);

        Assert.True(after < 0.5 * before, $"the loss went from {before} to {after}");
        // The gradient reached our LSTM through the model's forward, and Adam updated the registered parameter itself.
        Assert.False(outer.Body.Lstm.Kernel.allclose(initialKernel));
    }

    [Fact]
    public void TrainAndEvalOfTheOuterModuleSwitchOurDropout()
    {
        using var outer = new Classifier(new TinyLstm(seed: 1));
        using var x = Inputs(8, seed: 2);
        using var noGrad = no_grad();

        outer.train();
        Assert.True(outer.Body.training);
        Assert.All(outer.Body.Layers, l => Assert.True(l.Layer.training, l.Name));
        using (var first = outer.call(x))
        using (var second = outer.call(x))
            Assert.False(first.allclose(second), "dropout left the outputs unchanged while training");

        outer.eval();
        Assert.False(outer.Body.training);
        Assert.All(outer.Body.Layers, l => Assert.False(l.Layer.training, l.Name));
        using (var first = outer.call(x))
        using (var second = outer.call(x))
            Assert.True(Same(first, second), "outputs vary in eval mode");

        // Predict runs in inference mode and leaves the mode as it found it.
        outer.train();
        using var predicted = outer.Body.Predict(x);
        using var again = outer.Body.Predict(x);
        Assert.True(Same(predicted, again));
        Assert.True(outer.Body.Dropout.training);
    }

    [Fact]
    public void ToFloat64AndToDeviceMoveEveryWeightAndForwardFollows()
    {
        using var model = new TinyLstm(seed: 3);
        using var x = Inputs(4, seed: 3);
        using var expected = model.Predict(x);

        model.to(CPU);
        Assert.Equal(DeviceType.CPU, model.Device.type);
        Assert.All(model.parameters(), p => Assert.Equal(DeviceType.CPU, p.device_type));

        model.to(ScalarType.Float64);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad));
        using var x64 = x.to(ScalarType.Float64);
        model.eval();
        using (no_grad())
        {
            using var output = model.call(x64);
            Assert.Equal(ScalarType.Float64, output.dtype);
            using var output32 = output.to(ScalarType.Float32);
            Assert.True(output32.allclose(expected, rtol: 1e-5, atol: 1e-6), "float64 outputs differ from float32's");
        }
        using var predicted = model.Predict(x64);
        Assert.True(predicted.allclose(expected, rtol: 1e-5, atol: 1e-6));
        // Inputs of any type become the weights' type: uint8 pixels reach a float64 model as float64.
        using var pixels = (x * 255).to(ScalarType.Byte);
        using var fromPixels = model.Predict(pixels);
        Assert.Equal(ScalarType.Float32, fromPixels.dtype);
    }

    [Fact]
    public void SaveAndLoadInTorchSharpFormatRestoreThePredictions()
    {
        using var model = new ReferenceModel(CPU, seed: 1);
        using var other = new ReferenceModel(CPU, seed: 2);
        using var images = randint(0, 256, [4, 28, 28], dtype: ScalarType.Byte);
        using var expected = model.Predict(images);
        using (var untrained = other.Predict(images))
            Assert.False(untrained.allclose(expected), "two seeds gave the same predictions");

        var path = Path.Combine(_dir, "mnist-lstm.dat");
        model.save(path);
        other.load(path);
        using (var loaded = other.Predict(images))
            Assert.True(Same(loaded, expected), "predictions changed through save/load");

        using var third = new ReferenceModel(CPU, seed: 3);
        var (missing, unexpected) = third.load_state_dict(model.state_dict());
        Assert.Empty(missing);
        Assert.Empty(unexpected);
        using var fromStateDict = third.Predict(images);
        Assert.True(Same(fromStateDict, expected), "predictions changed through state_dict/load_state_dict");
    }

    [Fact]
    public void PyTorchStateDictLoadsByKerasNamesAndPredictsAsPyTorch()
    {
        RunPython("export");
        var io = PyTorchUnpickler.UnpickleStateDict(Path.Combine(_dir, "export-io.pt"));
        using var x = (Tensor)io["x"]!;
        using var pytorch = (Tensor)io["y"]!;

        using var model = new TinyLstm(seed: 4);
        using (var before = model.Predict(x))
            Assert.False(before.allclose(pytorch, rtol: 0, atol: 1e-5), "our initial weights already gave PyTorch's outputs");

        var loaded = new Dictionary<string, bool>();
        model.load_py(Path.Combine(_dir, "torch.pt"), strict: true, loadedParameters: loaded);
        Assert.Equal(["dense.bias", "dense.kernel", "lstm.bias", "lstm.kernel", "lstm.recurrent_kernel"], loaded.Where(p => p.Value).Select(p => p.Key).Order());

        using var ours = model.Predict(x);
        AssertClose(pytorch, ours);
    }

    [Fact]
    public void StateDictSavedForPyTorchLoadsThereAndPredictsAsWeDo()
    {
        using var model = new TinyLstm(seed: 5);
        model.save_py(Path.Combine(_dir, "sharp.pt"));

        // PyTorch's load_state_dict is strict: every name and shape must match its own.
        RunPython("import");
        var io = PyTorchUnpickler.UnpickleStateDict(Path.Combine(_dir, "import-io.pt"));
        using var x = (Tensor)io["x"]!;
        using var pytorch = (Tensor)io["y"]!;

        using var ours = model.Predict(x);
        AssertClose(pytorch, ours);
    }

    private static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape))
            return false;
        using var equal = a.eq(b);
        using var all = equal.all();
        return all.item<bool>();
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var difference = (expected - actual).abs().max();
        Assert.True(difference.item<float>() <= 1e-5, $"largest difference from PyTorch: {difference.item<float>()}");
    }

    private void RunPython(string command)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: run scripts/bootstrap.sh (it installs python3-torch and python3-numpy)");
        var script = Path.Combine(_dir, "keras_lstm.py");
        File.WriteAllText(script, Script);
        var start = new ProcessStartInfo(Python, [script, command, _dir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "python3 did not finish in two minutes");
        Assert.False(process.ExitCode == NoTorchExitCode,
            $"{Python} cannot import torch ({error.Trim()}): run scripts/bootstrap.sh (it installs python3-torch and python3-numpy)");
        Assert.True(process.ExitCode == 0, $"the PyTorch script failed ({process.ExitCode}):\n{output.Result}{error}");
    }

    private static double EvalLoss(Classifier model, Tensor x, Tensor y)
    {
        model.eval();
        using var noGrad = no_grad();
        using var loss = nn.functional.cross_entropy(model.call(x), y);
        return loss.item<float>();
    }

    /// <summary>(count, 5, 3) float32 from a seeded <see cref="Random"/>, independent of libtorch's generator.</summary>
    private static Tensor Inputs(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count * TinyLstm.Time * TinyLstm.Features];
        for (var i = 0; i < values.Length; i++)
            values[i] = (float)(2 * random.NextDouble() - 1);
        return tensor(values, [count, TinyLstm.Time, TinyLstm.Features]);
    }

    /// <summary>A hand-written TorchSharp module holding a generated-style model, with a head of its own.</summary>
    private sealed class Classifier : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear _head;

        public Classifier(TinyLstm body) : base(nameof(Classifier))
        {
            Body = body;
            _head = nn.Linear(TinyLstm.Classes, 2);
            register_module("body", Body);
            register_module("head", _head);
        }

        public TinyLstm Body { get; }

        public override Tensor forward(Tensor input)
        {
            using var features = Body.call(input);
            return _head.call(features);
        }
    }

    /// <summary>
    /// lstm (4 units, relu) over (5, 3), dropout .5, dense 3 softmax: written as the generator writes a model file's
    /// class; the PyTorch script's network in Keras' terms.
    /// </summary>
    private sealed class TinyLstm : SequentialModel
    {
        public const int Time = 5;
        public const int Features = 3;
        public const int Classes = 3;

        public TinyLstm(int? seed) : base(new ModelConfig(
            "TinyLstm",
            Loss.SparseCategoricalCrossentropy(),
            () => new Optimizers.Adam(),
            [Metric.SparseCategoricalAccuracy("accuracy")],
            null,
            [Time, Features]), seed)
        {
            Lstm = Add("lstm", new Lstm(Features, 4, activation: Activation.Relu));
            Dropout = Add("dropout", new Dropout(0.5));
            Dense = Add("dense", new Dense(4, Classes, activation: Activation.Softmax));
            Build(CPU);
        }

        public Lstm Lstm { get; }

        public Dropout Dropout { get; }

        public Dense Dense { get; }

        protected override Tensor ForwardLogits(Tensor input)
        {
            var x = Lstm.forward(input);
            x = Dropout.forward(x);
            return Dense.ForwardLinear(x);
        }

        protected override Activation OutputActivation => Activation.Softmax;
    }
}
