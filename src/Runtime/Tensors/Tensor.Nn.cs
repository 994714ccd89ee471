namespace ModelDsl.Runtime;

/// <summary>How a loss folds its per-element values (libtorch's at::Reduction codes).</summary>
public enum Reduction
{
    None = 0,
    Mean = 1,
    Sum = 2,
}

/// <summary>Neural-network ops in PyTorch's (channels-first) layout; the layers add Keras' channels-last handling.</summary>
public partial class Tensor
{
    /// <summary>A Keras activation; softmax over the last axis. <see cref="Activation.Linear"/> gives an alias.</summary>
    public Tensor Activate(Activation activation) => new(NativeMethods.Activate(Handle, activation));

    public Tensor Relu() => Activate(Activation.Relu);
    public Tensor Sigmoid() => Activate(Activation.Sigmoid);
    public Tensor Tanh() => Activate(Activation.Tanh);

    public Tensor Softmax(long dim = -1) => new(NativeMethods.Softmax(Handle, dim, 0));

    public Tensor LogSoftmax(long dim = -1) => new(NativeMethods.Softmax(Handle, dim, 1));

    /// <summary>Inverted dropout: zeroes a <paramref name="rate"/> fraction and scales the rest by 1/(1-rate); identity unless training.</summary>
    public Tensor Dropout(double rate, bool training) => new(NativeMethods.Dropout(Handle, rate, training ? 1 : 0));

    /// <summary>(batch, channels, length) * weight (out, in, k) + bias.</summary>
    public unsafe Tensor Conv1d(Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1)
    {
        return new Tensor(NativeMethods.Conv(Handle, weight.Handle, HandleOf(bias), 1, &stride, &padding, &dilation));
    }

    /// <summary>(batch, channels, height, width) * weight (out, in, kh, kw) + bias.</summary>
    public unsafe Tensor Conv2d(Tensor weight, Tensor? bias = null, (long Height, long Width)? stride = null,
        (long Height, long Width)? padding = null, (long Height, long Width)? dilation = null)
    {
        var s = stride ?? (1, 1);
        var p = padding ?? (0, 0);
        var d = dilation ?? (1, 1);
        long* strides = stackalloc long[] { s.Height, s.Width };
        long* paddings = stackalloc long[] { p.Height, p.Width };
        long* dilations = stackalloc long[] { d.Height, d.Width };
        return new Tensor(NativeMethods.Conv(Handle, weight.Handle, HandleOf(bias), 2, strides, paddings, dilations));
    }

    /// <summary>Max over windows of (batch, channels, length); stride defaults to the window.</summary>
    public unsafe Tensor MaxPool1d(long kernelSize, long? stride = null, long padding = 0)
    {
        var s = stride ?? kernelSize;
        return new Tensor(NativeMethods.MaxPool(Handle, 1, &kernelSize, &s, &padding));
    }

    /// <summary>Max over windows of (batch, channels, height, width); stride defaults to the window.</summary>
    public unsafe Tensor MaxPool2d((long Height, long Width) kernelSize, (long Height, long Width)? stride = null,
        (long Height, long Width)? padding = null)
    {
        var s = stride ?? kernelSize;
        var p = padding ?? (0, 0);
        long* kernels = stackalloc long[] { kernelSize.Height, kernelSize.Width };
        long* strides = stackalloc long[] { s.Height, s.Width };
        long* paddings = stackalloc long[] { p.Height, p.Width };
        return new Tensor(NativeMethods.MaxPool(Handle, 2, kernels, strides, paddings));
    }

    /// <summary>Pads with a constant; <paramref name="pads"/> lists (before, after) pairs starting from the LAST dimension.</summary>
    public unsafe Tensor ConstantPad(ReadOnlySpan<long> pads, double value = 0)
    {
        fixed (long* p = pads)
            return new Tensor(NativeMethods.ConstantPad(Handle, p, pads.Length, value));
    }

    /// <summary>Rows of <paramref name="weight"/> (vocabulary, dim) picked by integer <paramref name="indices"/>.</summary>
    public static Tensor Embedding(Tensor weight, Tensor indices) => new(NativeMethods.Embedding(weight.Handle, indices.Handle));

    /// <summary>Negative log-likelihood of class indices under log-probabilities (batch, classes) or (batch, classes, d...).</summary>
    public Tensor NllLoss(Tensor targets, Reduction reduction = Reduction.Mean) =>
        new(NativeMethods.NllLoss(Handle, targets.Handle, reduction));

    public Tensor MseLoss(Tensor target, Reduction reduction = Reduction.Mean) =>
        new(NativeMethods.PointwiseLoss(Handle, target.Handle, 0, reduction));

    public Tensor L1Loss(Tensor target, Reduction reduction = Reduction.Mean) =>
        new(NativeMethods.PointwiseLoss(Handle, target.Handle, 1, reduction));

    /// <summary>Binary cross-entropy of logits (this) against 0/1 targets, in the stable log-sum-exp form.</summary>
    public Tensor BinaryCrossEntropyWithLogits(Tensor target, Reduction reduction = Reduction.Mean) =>
        new(NativeMethods.PointwiseLoss(Handle, target.Handle, 2, reduction));
}
