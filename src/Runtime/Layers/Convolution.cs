namespace ModelDsl.Runtime.Layers;

/// <summary>
/// What Keras' convolution layers share: argument checks, Keras' padding over libtorch's unpadded channels-first
/// convolutions, and the channels-last layout around them. Sizes are per spatial axis, in Keras' order.
/// </summary>
internal static class Convolution
{
    public static long[] Axes(int size) => [size];

    public static long[] Axes((int Height, int Width) size) => [size.Height, size.Width];

    public static PaddingMode ParsePadding(string padding, bool allowCausal) => Padding.Parse(padding, allowCausal);

    /// <summary>Throws unless <paramref name="value"/> is at least 1 (a size, a stride, a rate, a count).</summary>
    public static void RequirePositive(int value, string name)
    {
        if (value < 1)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1, got {value}");
    }

    public static void RequirePositive((int Height, int Width) value, string name)
    {
        if (value.Height < 1 || value.Width < 1)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1 on both axes, got {value}");
    }

    /// <summary>Keras' grouped convolution: a positive group count that divides the input channels and the filters.</summary>
    public static void RequireGroups(int inputChannels, int filters, int groups, string layer)
    {
        RequirePositive(groups, nameof(groups));
        if (inputChannels % groups != 0 || filters % groups != 0)
            throw new ArgumentException(
                $"{layer}: groups {groups} must divide both the input channels ({inputChannels}) and filters ({filters})", nameof(groups));
    }

    /// <summary>Keras rejects a stride above 1 together with a dilation rate above 1 (on any axes).</summary>
    public static void RequireStridesOrDilation(long[] strides, long[] dilation, string layer)
    {
        if (strides.Max() > 1 && dilation.Max() > 1)
            throw new ArgumentException(
                $"{layer}: strides > 1 is not supported together with dilation_rate > 1 (strides {Describe(strides)}, dilation_rate {Describe(dilation)})",
                "dilationRate");
    }

    /// <summary>Keras' output padding of a transposed convolution: at least 0 and below the stride, on every axis.</summary>
    public static void RequireOutputPadding(long[]? outputPadding, long[] strides, string layer)
    {
        if (outputPadding is null)
            return;
        for (var i = 0; i < outputPadding.Length; i++)
            if (outputPadding[i] < 0 || outputPadding[i] >= strides[i])
                throw new ArgumentOutOfRangeException("outputPadding", Describe(outputPadding),
                    $"{layer}: output_padding must be at least 0 and less than strides on every axis (strides {Describe(strides)}, output_padding {Describe(outputPadding)})");
    }

    /// <summary>Throws unless <paramref name="input"/> is (batch, spatial..., channels) with <paramref name="spatialRank"/> spatial axes.</summary>
    public static void RequireInput(Tensor input, int spatialRank, string layer)
    {
        if (input.dim() != spatialRank + 2)
            throw new ArgumentException(
                $"{layer} needs a {spatialRank + 2}-D input (batch, {(spatialRank == 1 ? "steps" : "height, width")}, channels), got [{string.Join(", ", input.shape)}]",
                nameof(input));
    }

    /// <summary>
    /// Keras' convolution (a cross-correlation) of channels-last <paramref name="input"/> with libtorch's weight
    /// (out, in / groups, k...): Keras' padding first, then libtorch's unpadded convolution. Channels-last result.
    /// </summary>
    public static Tensor Correlate(Tensor input, Tensor weight, Tensor? bias, PaddingMode mode, long[] kernel, long[] strides, long[] dilation, long groups)
    {
        var x = ChannelsLast.ToChannelsFirst(input);
        var amounts = new (long Before, long After)[kernel.Length];
        for (var i = 0; i < kernel.Length; i++)
            amounts[i] = Padding.Amounts(mode, x.size(i + 2), kernel[i], strides[i], dilation[i]);
        var padded = ChannelsLast.PadSpatial(x, amounts, 0);
        var y = kernel.Length == 1
            ? nn.functional.conv1d(padded, weight, bias, stride: strides[0], dilation: dilation[0], groups: groups)
            : nn.functional.conv2d(padded, weight, bias, strides: strides, dilation: dilation, groups: groups);
        return ChannelsLast.FromChannelsFirst(y);
    }

    /// <summary>
    /// Keras' transposed convolution of channels-last <paramref name="input"/> with libtorch's weight (in, out, k...):
    /// libtorch's unpadded transposed convolution, cropped or extended to Keras' length per axis, then the bias (which
    /// Keras adds to every cell, those no input reaches included). Channels-last result.
    /// </summary>
    public static Tensor CorrelateTransposed(Tensor input, Tensor weight, Tensor? bias, PaddingMode mode, long[] kernel, long[] strides, long[] dilation,
        long[]? outputPadding, string layer)
    {
        var x = ChannelsLast.ToChannelsFirst(input);
        var amounts = new (long Before, long After)[kernel.Length];
        for (var i = 0; i < kernel.Length; i++)
        {
            var length = Padding.TransposedLength(mode, x.size(i + 2), kernel[i], strides[i], dilation[i], outputPadding?[i]);
            if (length < 1)
                throw new ArgumentException(
                    $"{layer}: an input of [{string.Join(", ", input.shape)}] gives an empty output on spatial axis {i + 1}", nameof(input));
            amounts[i] = Padding.TransposedAmounts(mode, x.size(i + 2), kernel[i], strides[i], dilation[i], outputPadding?[i]);
        }
        var y = kernel.Length == 1
            ? nn.functional.conv_transpose1d(x, weight, null, stride: strides[0], dilation: dilation[0])
            : nn.functional.conv_transpose2d(x, weight, null, strides: strides, dilation: dilation);
        var fitted = ChannelsLast.FromChannelsFirst(ChannelsLast.PadSpatial(y, amounts, 0));
        return bias is null ? fitted : fitted + bias;
    }

    /// <summary>
    /// A Keras depthwise kernel (k..., in, depthMultiplier) as libtorch's grouped weight (in * depthMultiplier, 1, k...):
    /// output channel c * depthMultiplier + m filters input channel c, as in Keras.
    /// </summary>
    public static Tensor DepthwiseWeight(Tensor depthwiseKernel)
    {
        var shape = depthwiseKernel.shape;
        var merged = shape[..^2].Concat([1L, shape[^2] * shape[^1]]).ToArray();
        return ChannelsLast.TorchKernel(depthwiseKernel.reshape(merged));
    }

    /// <summary>
    /// Keras' pointwise step of a separable convolution: a 1 x 1 kernel (1..., channels, filters) over channels-last
    /// <paramref name="input"/>, a product on the last axis.
    /// </summary>
    public static Tensor Pointwise(Tensor input, Tensor pointwiseKernel, Tensor? bias)
    {
        var shape = pointwiseKernel.shape;
        return nn.functional.linear(input, pointwiseKernel.reshape(shape[^2], shape[^1]).t(), bias);
    }

    /// <summary>
    /// ONNX's channels-first <paramref name="op"/> between transposes from and back to channels-last, and then
    /// <paramref name="activation"/>: an element-wise one inside, so that the next layer's transpose cancels this one's.
    /// </summary>
    public static OnnxValue OnnxChannelsFirst(OnnxGraph graph, OnnxValue input, int spatialRank, Func<OnnxValue, OnnxValue> op,
        Activation activation = Activation.Linear)
    {
        var inside = activation != Activation.Softmax;
        var output = op(graph.ChannelsFirst(input, spatialRank + 2));
        if (inside)
            output = graph.Activation(output, activation);
        output = graph.ChannelsLast(output, spatialRank + 2);
        return inside ? output : graph.Activation(output, activation);
    }

    /// <summary>
    /// A window's attributes. Keras' same padding with strides of 1 is the span less one, the odd cell at the end,
    /// whatever the input's length; with larger strides it depends on the length, and is ONNX's SAME_UPPER (which ONNX
    /// Runtime does not take with dilation, and Keras has no strided dilation). Causal padding is the span less one
    /// before; valid none.
    /// </summary>
    public static OnnxAttribute[] OnnxWindow(PaddingMode mode, long[] kernel, long[] strides, long[]? dilation = null)
    {
        var attributes = new List<OnnxAttribute> { OnnxAttribute.Ints("kernel_shape", kernel), OnnxAttribute.Ints("strides", strides) };
        if (dilation is not null)
            attributes.Add(OnnxAttribute.Ints("dilations", dilation));
        var totals = kernel.Select((k, i) => Padding.Span(k, dilation?[i] ?? 1) - 1).ToArray();
        if (mode == PaddingMode.Same && strides.All(s => s == 1))
            attributes.Add(OnnxAttribute.Ints("pads", [.. totals.Select(t => t / 2), .. totals.Select(t => t - t / 2)]));
        else if (mode == PaddingMode.Same)
            attributes.Add(OnnxAttribute.String("auto_pad", "SAME_UPPER"));
        else if (mode == PaddingMode.Causal)
            attributes.Add(OnnxAttribute.Ints("pads", [.. totals, .. totals.Select(_ => 0L)]));
        return [.. attributes];
    }

    /// <summary>ONNX MaxPool or AveragePool on a channels-last input.</summary>
    public static OnnxValue OnnxPool(OnnxGraph graph, OnnxValue input, string op, PaddingMode mode, long[] kernel, long[] strides) =>
        OnnxChannelsFirst(graph, input, kernel.Length, x => graph.Node(op, [x], OnnxWindow(mode, kernel, strides)));

    /// <summary>ONNX Conv with libtorch's weight layout (which is ONNX's) on a channels-last input, as <see cref="Correlate"/>.</summary>
    public static OnnxValue OnnxCorrelate(OnnxGraph graph, OnnxValue input, Tensor weight, Tensor? bias, PaddingMode mode, long[] kernel, long[] strides,
        long[] dilation, long groups, Activation activation = Activation.Linear)
    {
        OnnxValue[] weights = bias is null ? [graph.Weight("W", weight)] : [graph.Weight("W", weight), graph.Weight("B", bias)];
        return OnnxChannelsFirst(graph, input, kernel.Length,
            x => graph.Node("Conv", [x, .. weights], [.. OnnxWindow(mode, kernel, strides, dilation), OnnxAttribute.Int("group", groups)]), activation);
    }

    /// <summary>
    /// ONNX ConvTranspose, as <see cref="CorrelateTransposed"/>: the full transposed output cropped by <c>pads</c>, or
    /// grown at the end by <c>output_padding</c>, to Keras' length (the same for every input length), the bias added
    /// to every cell.
    /// </summary>
    public static OnnxValue OnnxCorrelateTransposed(OnnxGraph graph, OnnxValue input, Tensor weight, Tensor? bias, PaddingMode mode, long[] kernel,
        long[] strides, long[] dilation, long[]? outputPadding, Activation activation = Activation.Linear)
    {
        var before = new long[kernel.Length];
        var after = new long[kernel.Length];
        var grown = new long[kernel.Length];
        for (var i = 0; i < kernel.Length; i++)
        {
            var (start, end) = Padding.TransposedAmounts(mode, 1, kernel[i], strides[i], dilation[i], outputPadding?[i]);
            before[i] = -start;
            after[i] = Math.Max(-end, 0);
            grown[i] = Math.Max(end, 0);
        }

        OnnxValue[] weights = bias is null ? [graph.Weight("W", weight)] : [graph.Weight("W", weight), graph.Weight("B", bias)];
        OnnxAttribute[] attributes =
        [
            OnnxAttribute.Ints("kernel_shape", kernel), OnnxAttribute.Ints("strides", strides), OnnxAttribute.Ints("dilations", dilation),
            OnnxAttribute.Ints("pads", [.. before, .. after]), OnnxAttribute.Ints("output_padding", grown),
        ];
        return OnnxChannelsFirst(graph, input, kernel.Length, x => graph.Node("ConvTranspose", [x, .. weights], attributes), activation);
    }

    /// <summary>The pointwise step of a separable convolution: a product over the channels, as <see cref="Pointwise"/>.</summary>
    public static OnnxValue OnnxPointwise(OnnxGraph graph, OnnxValue input, Tensor pointwiseKernel, Tensor? bias)
    {
        var shape = pointwiseKernel.shape;
        var product = graph.MatMul(input, graph.Weight("pointwise_kernel", pointwiseKernel.reshape(shape[^2], shape[^1])));
        return bias is null ? product : graph.Add(product, graph.Weight("bias", bias));
    }

    public static string Describe(long[] sizes) => sizes.Length == 1 ? sizes[0].ToString() : $"({string.Join(", ", sizes)})";
}
