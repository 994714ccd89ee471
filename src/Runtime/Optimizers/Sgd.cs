namespace ModelDsl.Runtime.Optimizers;

/// <summary>Keras' SGD: velocity = momentum * velocity - lr * g; p += velocity (nesterov: p += momentum * velocity - lr * g).</summary>
public sealed class Sgd : Optimizer
{
    private static readonly string[] Velocity = ["momentum"];

    public Sgd(double learningRate = 0.01, double momentum = 0, bool nesterov = false, double decay = 0) : base(learningRate, decay)
    {
        if (momentum is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1]");
        Momentum = momentum;
        Nesterov = nesterov;
    }

    public override string Name => "sgd";

    public double Momentum { get; }

    public bool Nesterov { get; }

    protected override IReadOnlyList<string> SlotNames => Momentum > 0 ? Velocity : [];

    private protected override unsafe void Apply(IntPtr[] parameters, IntPtr[][] slots, double learningRate, long step)
    {
        fixed (IntPtr* p = parameters)
        fixed (IntPtr* velocity = slots.Length > 0 ? slots[0] : null)
            NativeMethods.Check(NativeMethods.SgdStep(p, velocity, parameters.Length, learningRate, Momentum, Nesterov ? 1 : 0));
    }

    private protected override unsafe void ApplyOnDevice(IntPtr[] parameters, IntPtr[][] slots, Tensor baseLearningRate, Tensor iterations)
    {
        fixed (IntPtr* p = parameters)
        fixed (IntPtr* velocity = slots.Length > 0 ? slots[0] : null)
            NativeMethods.Check(NativeMethods.SgdStepOnDevice(p, velocity, parameters.Length, baseLearningRate.Handle, iterations.Handle, Decay,
                Momentum, Nesterov ? 1 : 0));
    }
}
