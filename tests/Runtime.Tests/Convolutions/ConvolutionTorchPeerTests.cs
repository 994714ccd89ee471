using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelDsl.Runtime.Layers;
using TorchSharp;
using static ModelDsl.Runtime.Tests.Convolutions.ConvolutionReference;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Convolutions;

/// <summary>
/// The convolution layers against PyTorch (Debian's python3-torch) computing the same layer another way: NCHW,
/// (out, in, k...) kernels, "same" padding by Keras' torch backend's formula, transposed convolutions the way Keras'
/// JAX backend computes them (stride-dilated input, padded, correlated with the flipped kernel: TensorFlow's cell
/// placement, which Keras' torch backend, by its own warning, does not keep everywhere), depthwise and grouped
/// convolutions channel by channel. One Python run for every case, float64, JSON between.
/// </summary>
public sealed class ConvolutionTorchPeerTests : IDisposable
{
    // Debian's interpreter, the one python3-torch installs into, whatever `python3` a PATH points at first.
    private const string Python = "/usr/bin/python3";

    // The script's exit status when `import torch` fails (its sys.exit(3)).
    private const int NoTorchExitCode = 3;

    private const string Script = """
        import json, sys
        try:
            import torch
            import torch.nn.functional as F
        except ImportError as error:
            print(error, file=sys.stderr)
            sys.exit(3)

        def array(entry):
            return torch.tensor(entry["values"], dtype=torch.float64).reshape(entry["shape"])

        def channels_first(x):
            return x.permute(0, x.dim() - 1, *range(1, x.dim() - 1))

        def channels_last(x):
            return x.permute(0, *range(2, x.dim()), 1)

        def torch_kernel(k):
            # Keras (k..., in, out) -> torch (out, in, k...).
            n = k.dim()
            return k.permute(n - 1, n - 2, *range(n - 2))

        def conv(x, weight, rank, **options):
            return (F.conv1d if rank == 1 else F.conv2d)(x, weight, **options)

        def pad_forward(x, case):
            # Keras' torch backend: "same" pads dilation * (k - 1) - (length - 1) % stride, the odd cell after.
            pads = []
            for axis in reversed(range(case["rank"])):
                k, s, d = case["kernel"][axis], case["strides"][axis], case["dilation"][axis]
                length = x.shape[2 + axis]
                if case["padding"] == "same":
                    total = d * (k - 1) - (length - 1) % s
                    pads += [total // 2, (total + 1) // 2]
                elif case["padding"] == "causal":
                    pads += [d * (k - 1), 0]
                else:
                    pads += [0, 0]
            return F.pad(x, pads)

        def forward(x, case, weight, groups):
            # Grouped: each group's channels through its own filters, concatenated.
            rank, xs, outputs = case["rank"], x.chunk(groups, 1), weight.chunk(groups, 0)
            return torch.cat([conv(pad_forward(part, case), w, rank, stride=case["strides"], dilation=case["dilation"])
                              for part, w in zip(xs, outputs)], 1)

        def depthwise(x, case, kernel):
            # Keras (k..., in, multiplier): output channel c * multiplier + m from input channel c alone.
            rank, channels, multiplier = case["rank"], kernel.shape[-2], kernel.shape[-1]
            parts = []
            for c in range(channels):
                for m in range(multiplier):
                    w = kernel[..., c, m].reshape(1, 1, *kernel.shape[:rank])
                    parts.append(conv(pad_forward(x[:, c:c + 1], case), w, rank, stride=case["strides"], dilation=case["dilation"]))
            return torch.cat(parts, 1)

        def transposed_padding(k, s, d, padding, output_padding):
            # Keras' JAX backend (TensorFlow's placement): pads of the stride-dilated input before the flipped kernel.
            span = (k - 1) * d + 1
            if padding == "valid":
                extra = max(span, s) - span if output_padding is None else output_padding
                return span - 1, span - 1 + extra
            total = s + span - 2 if output_padding is None else span + span % 2 - 2 + output_padding
            left = min(total // 2 + total % 2, span - 1)
            return left, total - left

        def transposed(x, case, kernel):
            rank, n = case["rank"], kernel.dim()
            for axis in range(rank):
                s, length = case["strides"][axis], x.shape[2 + axis]
                shape = list(x.shape)
                shape[2 + axis] = (length - 1) * s + 1
                dilated = x.new_zeros(shape)
                dilated.index_copy_(2 + axis, torch.arange(0, shape[2 + axis], s), x)
                x = dilated
            pads = []
            for axis in reversed(range(rank)):
                pads += transposed_padding(case["kernel"][axis], case["strides"][axis], case["dilation"][axis], case["padding"],
                                           None if case["output_padding"] is None else case["output_padding"][axis])
            # Keras (k..., out, in) -> torch (out, in, k...), taps reversed.
            weight = kernel.permute(n - 2, n - 1, *range(n - 2)).flip(list(range(2, n)))
            return conv(F.pad(x, pads), weight, rank, dilation=case["dilation"])

        cases = json.load(open(sys.argv[1]))
        results = []
        for case in cases:
            x = channels_first(array(case["input"]))
            w = {name: array(entry) for name, entry in case["weights"].items()}
            kind = case["kind"]
            if kind == "conv":
                y = forward(x, case, torch_kernel(w["kernel"]), case["groups"])
            elif kind == "transpose":
                y = transposed(x, case, w["kernel"])
            elif kind == "depthwise":
                y = depthwise(x, case, w["depthwise_kernel"])
            else:
                pointwise = w["pointwise_kernel"]
                y = torch.einsum("bc...,cf->bf...", depthwise(x, case, w["depthwise_kernel"]), pointwise.reshape(pointwise.shape[-2:]))
            if "bias" in w:
                y = y + w["bias"].reshape(1, -1, *([1] * case["rank"]))
            y = channels_last(y).contiguous()
            results.append({"shape": list(y.shape), "values": y.flatten().tolist()})
        json.dump(results, open(sys.argv[2], "w"))
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("modeldsl-convolutions-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed record Case(string Kind, Layer Layer, long[] InputShape, long[] Kernel, long[] Strides, long[] Dilation, string Padding,
        long Groups = 1, long[]? OutputPadding = null);

    private static IEnumerable<Case> Cases()
    {
        foreach (var (padding, stride, dilation, groups) in new[] { ("valid", 1, 1, 1), ("same", 2, 1, 2), ("same", 3, 1, 1), ("causal", 1, 2, 4) })
            yield return new("conv", new Conv1D(4, 8, 3, stride, padding, dilation, groups), [2, 9, 4], [3], [stride], [dilation], padding, groups);
        foreach (var (padding, strides, dilation, groups) in new[] { ("valid", (2, 1), (1, 1), 1), ("same", (2, 3), (1, 1), 2), ("same", (1, 1), (2, 3), 4) })
            yield return new("conv", new Conv2D(4, 4, (3, 2), strides, padding, dilation, groups), [2, 7, 8, 4], [3, 2], Convolution.Axes(strides),
                Convolution.Axes(dilation), padding, groups);
        foreach (var (padding, kernel, stride, dilation, extra) in new (string, int, int, int, int?)[]
                 {
                     ("valid", 3, 2, 1, null), ("valid", 2, 3, 1, 1), ("valid", 3, 1, 2, null), ("same", 3, 2, 1, null),
                     ("same", 4, 2, 1, null), ("same", 5, 3, 1, 2), ("same", 3, 1, 2, null), ("same", 4, 3, 1, null),
                 })
            yield return new("transpose", new Conv1DTranspose(3, 2, kernel, stride, padding, extra, dilation), [2, 5, 3], [kernel], [stride], [dilation],
                padding, OutputPadding: extra is { } e ? [e] : null);
        foreach (var (padding, strides, extra) in new (string, (int, int), (int, int)?)[]
                 {
                     ("valid", (2, 3), null), ("same", (2, 2), null), ("valid", (3, 2), (1, 1)), ("same", (3, 2), (0, 1)),
                 })
            yield return new("transpose", new Conv2DTranspose(3, 2, (3, 4), strides, padding, extra), [2, 4, 5, 3], [3, 4], Convolution.Axes(strides),
                [1, 1], padding, OutputPadding: extra is { } e ? Convolution.Axes(e) : null);
        foreach (var (padding, stride, dilation, multiplier) in new[] { ("valid", 1, 1, 1), ("same", 2, 1, 2), ("same", 1, 2, 3) })
        {
            yield return new("depthwise", new DepthwiseConv2D(3, (3, 2), (stride, stride), padding, multiplier, (dilation, dilation)), [2, 6, 7, 3], [3, 2],
                [stride, stride], [dilation, dilation], padding);
            yield return new("separable", new SeparableConv2D(3, 4, (2, 3), (stride, stride), padding, (dilation, dilation), multiplier), [2, 6, 7, 3],
                [2, 3], [stride, stride], [dilation, dilation], padding);
            yield return new("separable", new SeparableConv1D(3, 4, 3, stride, padding, dilation, multiplier), [2, 9, 3], [3], [stride], [dilation], padding);
        }
    }

    private static JsonObject Entry(Tensor t) => new()
    {
        ["shape"] = new JsonArray(t.shape.Select(s => (JsonNode)s).ToArray()),
        ["values"] = new JsonArray(Read(t).Select(v => (JsonNode)v).ToArray()),
    };

    [Fact]
    public void ForwardsEqualPyTorchComputingKerasSemantics()
    {
        var cases = Cases().ToList();
        var requests = new JsonArray();
        var outputs = new List<Tensor>();
        var salt = 0;
        foreach (var c in cases)
        {
            using var layer = c.Layer;
            layer.to(ScalarType.Float64);
            foreach (var (_, weight, _) in layer.Weights())
                Assign(weight, Values(weight.numel(), 0.5, ++salt));
            var input = tensor(Values(c.InputShape.Aggregate(1L, (a, b) => a * b), 1, ++salt), c.InputShape);
            outputs.Add(layer.forward(input));
            var weights = new JsonObject();
            foreach (var (name, weight, _) in layer.Weights())
                weights[name] = Entry(weight);
            requests.Add(new JsonObject
            {
                ["kind"] = c.Kind,
                ["rank"] = c.Kernel.Length,
                ["padding"] = c.Padding,
                ["kernel"] = new JsonArray(c.Kernel.Select(k => (JsonNode)k).ToArray()),
                ["strides"] = new JsonArray(c.Strides.Select(s => (JsonNode)s).ToArray()),
                ["dilation"] = new JsonArray(c.Dilation.Select(d => (JsonNode)d).ToArray()),
                ["groups"] = c.Groups,
                ["output_padding"] = c.OutputPadding is null ? null : new JsonArray(c.OutputPadding.Select(p => (JsonNode)p).ToArray()),
                ["input"] = Entry(input),
                ["weights"] = weights,
            });
        }

        var results = RunPython(requests);
        Assert.Equal(cases.Count, results.Count);
        for (var i = 0; i < cases.Count; i++)
        {
            var expectedShape = results[i]!["shape"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
            Assert.True(expectedShape.SequenceEqual(outputs[i].shape),
                $"case {i} ({cases[i].Kind} {cases[i].Padding}): PyTorch [{string.Join(", ", expectedShape)}], layer [{string.Join(", ", outputs[i].shape)}]");
            var expected = results[i]!["values"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
            var actual = Read(outputs[i]);
            var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
            Assert.True(worst <= 1e-12, $"case {i} ({cases[i].Kind} {cases[i].Padding}): largest difference from PyTorch {worst}");
        }
    }

    private JsonArray RunPython(JsonArray requests)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: run scripts/bootstrap.sh (it installs python3-torch and python3-numpy)");
        var script = Path.Combine(_dir, "keras_convolutions.py");
        var input = Path.Combine(_dir, "cases.json");
        var output = Path.Combine(_dir, "results.json");
        File.WriteAllText(script, Script);
        File.WriteAllText(input, requests.ToJsonString());
        var start = new ProcessStartInfo(Python, [script, input, output]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "python3 did not finish in two minutes");
        Assert.False(process.ExitCode == NoTorchExitCode,
            $"{Python} cannot import torch ({stderr.Trim()}): run scripts/bootstrap.sh (it installs python3-torch and python3-numpy)");
        Assert.True(process.ExitCode == 0, $"the PyTorch script failed ({process.ExitCode}):\n{stdout.Result}{stderr}");
        return JsonNode.Parse(File.ReadAllText(output))!.AsArray();
    }
}
