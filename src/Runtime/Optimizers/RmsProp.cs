namespace ModelDsl.Runtime.Optimizers;

/// <summary>
/// Keras' (legacy) RMSprop: ms = rho ms + (1 - rho) g²; p -= lr g / (sqrt(ms) + epsilon), or with momentum
/// mom = momentum mom + lr g / sqrt(ms + epsilon), p -= mom.
/// </summary>
public sealed class RmsProp : Optimizer
{
    private static readonly string[] MeanSquare = ["rms"];
    private static readonly string[] MeanSquareAndMomentum = ["rms", "momentum"];

    public RmsProp(double learningRate = 0.001, double rho = 0.9, double momentum = 0, double epsilon = 1e-7, double decay = 0)
        : base(learningRate, decay)
    {
        if (rho is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(rho), rho, "rho must be in [0, 1]");
        if (momentum is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1]");
        ArgumentOutOfRangeException.ThrowIfNegative(epsilon);
        Rho = rho;
        Momentum = momentum;
        Epsilon = epsilon;
    }

    public override string Name => "rmsprop";

    public double Rho { get; }

    public double Momentum { get; }

    public double Epsilon { get; }

    protected override IReadOnlyList<string> SlotNames => Momentum > 0 ? MeanSquareAndMomentum : MeanSquare;

    private protected override unsafe void Apply(IntPtr[] parameters, IntPtr[][] slots, double learningRate, long step)
    {
        fixed (IntPtr* p = parameters)
        fixed (IntPtr* meanSquare = slots[0])
        fixed (IntPtr* moment = slots.Length > 1 ? slots[1] : null)
            NativeMethods.Check(NativeMethods.RmsPropStep(p, meanSquare, moment, parameters.Length, learningRate, Rho, Momentum, Epsilon));
    }

    private protected override unsafe void ApplyOnDevice(IntPtr[] parameters, IntPtr[][] slots, Tensor baseLearningRate, Tensor iterations)
    {
        fixed (IntPtr* p = parameters)
        fixed (IntPtr* meanSquare = slots[0])
        fixed (IntPtr* moment = slots.Length > 1 ? slots[1] : null)
            NativeMethods.Check(NativeMethods.RmsPropStepOnDevice(p, meanSquare, moment, parameters.Length, baseLearningRate.Handle, iterations.Handle,
                Decay, Rho, Momentum, Epsilon));
    }
}
