namespace ModelDsl.Runtime;

/// <summary>
/// A trainable tensor (requires grad) with its Keras name ("kernel", "recurrent_kernel", "bias"). It belongs to
/// no dispose scope: its module disposes it.
/// </summary>
public sealed class Parameter : Tensor
{
    /// <summary>Detaches <paramref name="value"/>'s data into a new leaf that requires grad, and disposes <paramref name="value"/>.</summary>
    public Parameter(string name, Tensor value, bool trainable = true) : base(NativeMethods.Unary(value.Handle, UnaryOp.Detach), scoped: false)
    {
        Name = name;
        Trainable = trainable;
        RequiresGrad = trainable;
        value.Dispose();
    }

    /// <summary>The name within its module.</summary>
    public string Name { get; }

    /// <summary>False for weights the optimizer leaves alone.</summary>
    public bool Trainable { get; }

    public override string ToString() => $"Parameter {Name}: {base.ToString()}";
}
