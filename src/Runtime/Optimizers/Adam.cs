namespace ModelDsl.Runtime.Optimizers;

/// <summary>
/// Keras' Adam: epsilon is added to sqrt(v) with the bias correction folded into the rate
/// (lr * sqrt(1 - beta2^t) / (1 - beta1^t)), which is not PyTorch's placement.
/// </summary>
public class Adam : Optimizer
{
    private static readonly string[] Moments = ["m", "v"];
    private static readonly string[] MomentsAndMax = ["m", "v", "vhat"];
    private readonly double _weightDecay;

    public Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false, double decay = 0)
        : this(learningRate, 0, beta1, beta2, epsilon, amsgrad, decay)
    {
    }

    private protected Adam(double learningRate, double weightDecay, double beta1, double beta2, double epsilon, bool amsgrad, double decay)
        : base(learningRate, decay)
    {
        if (beta1 is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1)");
        if (beta2 is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1)");
        ArgumentOutOfRangeException.ThrowIfNegative(epsilon);
        ArgumentOutOfRangeException.ThrowIfNegative(weightDecay);
        _weightDecay = weightDecay;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        Amsgrad = amsgrad;
    }

    public override string Name => "adam";

    public double Beta1 { get; }

    public double Beta2 { get; }

    public double Epsilon { get; }

    public bool Amsgrad { get; }

    protected override IReadOnlyList<string> SlotNames => Amsgrad ? MomentsAndMax : Moments;

    private protected override unsafe void Apply(IntPtr[] parameters, IntPtr[][] slots, double learningRate, long step)
    {
        fixed (IntPtr* p = parameters)
        fixed (IntPtr* m = slots[0])
        fixed (IntPtr* v = slots[1])
        fixed (IntPtr* maxV = Amsgrad ? slots[2] : null)
            NativeMethods.Check(NativeMethods.AdamStep(p, m, v, maxV, parameters.Length, learningRate, Beta1, Beta2, Epsilon, _weightDecay, step));
    }

    private protected override unsafe void ApplyOnDevice(IntPtr[] parameters, IntPtr[][] slots, Tensor baseLearningRate, Tensor iterations)
    {
        fixed (IntPtr* p = parameters)
        fixed (IntPtr* m = slots[0])
        fixed (IntPtr* v = slots[1])
        fixed (IntPtr* maxV = Amsgrad ? slots[2] : null)
            NativeMethods.Check(NativeMethods.AdamStepOnDevice(p, m, v, maxV, parameters.Length, baseLearningRate.Handle, iterations.Handle,
                Decay, Beta1, Beta2, Epsilon, _weightDecay));
    }
}

/// <summary>Keras' AdamW: Adam plus decoupled weight decay, p -= p * weightDecay * lr, before the Adam update.</summary>
public sealed class AdamW : Adam
{
    public AdamW(double learningRate = 0.001, double weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
        bool amsgrad = false, double decay = 0)
        : base(learningRate, weightDecay, beta1, beta2, epsilon, amsgrad, decay)
    {
        WeightDecay = weightDecay;
    }

    public override string Name => "adamw";

    public double WeightDecay { get; }
}
