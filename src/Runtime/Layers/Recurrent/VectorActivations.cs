using System.Numerics;
using System.Runtime.CompilerServices;

namespace ModelDsl.Runtime.Layers.Recurrent;

/// <summary>
/// An activation as a type: the fused kernels take activations as struct type arguments, so the JIT compiles one
/// specialised, inlined pass per (activation, gate activation) pair instead of branching per element.
/// </summary>
internal interface IVectorActivation
{
    static abstract Vector<T> Apply<T>(Vector<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>The derivative, from the activation's output y (every supported activation is monotone).</summary>
    static abstract Vector<T> Slope<T>(Vector<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>;
}

internal struct LinearActivation : IVectorActivation
{
    public static Vector<T> Apply<T>(Vector<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T> => x;

    public static Vector<T> Slope<T>(Vector<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T> => Vector<T>.One;
}

internal struct ReluActivation : IVectorActivation
{
    public static Vector<T> Apply<T>(Vector<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T> => Vector.Max(x, Vector<T>.Zero);

    // 0 at y = 0, as libtorch's relu backward.
    public static Vector<T> Slope<T>(Vector<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Vector.ConditionalSelect(Vector.GreaterThan(y, Vector<T>.Zero), Vector<T>.One, Vector<T>.Zero);
}

internal struct SigmoidActivation : IVectorActivation
{
    // exp(-x) overflows to infinity for very negative x, which gives exactly 0: no NaN either way.
    public static Vector<T> Apply<T>(Vector<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Vector<T>.One / (Vector<T>.One + VectorMath.Exp(-x));

    public static Vector<T> Slope<T>(Vector<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T> => y * (Vector<T>.One - y);
}

internal struct TanhActivation : IVectorActivation
{
    // tanh x = 2 sigmoid(2x) - 1: within ~1e-7 (absolute) of libtorch's float tanh, and saturates without NaN.
    public static Vector<T> Apply<T>(Vector<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var two = Vector<T>.One + Vector<T>.One;
        return two / (Vector<T>.One + VectorMath.Exp(-two * x)) - Vector<T>.One;
    }

    public static Vector<T> Slope<T>(Vector<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T> => Vector<T>.One - y * y;
}

internal struct HardSigmoidActivation : IVectorActivation
{
    public static Vector<T> Apply<T>(Vector<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Vector.Min(Vector.Max(x * VectorMath.Constant<T>(Activations.HardSigmoidSlope) + VectorMath.Constant<T>(Activations.HardSigmoidOffset),
            Vector<T>.Zero), Vector<T>.One);

    public static Vector<T> Slope<T>(Vector<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Vector.ConditionalSelect(Vector.GreaterThan(y, Vector<T>.Zero) & Vector.LessThan(y, Vector<T>.One),
            VectorMath.Constant<T>(Activations.HardSigmoidSlope), Vector<T>.Zero);
}

internal static class VectorMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Constant<T>(double value) where T : unmanaged, IBinaryFloatingPointIeee754<T> => new(T.CreateTruncating(value));

    // The typeof tests are JIT-time constants: each instantiation keeps one branch.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Exp<T>(Vector<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return ExpSingle(x.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector.Exp(x.As<T, double>()).As<double, T>();
        throw new NotSupportedException($"no vector exp for {typeof(T)}");
    }

    /// <summary>
    /// e^x in float, within 2 ulp: .NET's own float Vector.Exp computes in double, at about a third of this speed,
    /// and the gates' sigmoids are most of a step's element-wise work.
    /// e^x = 2^n e^r with n = round(x / ln 2), |r| &lt;= ln 2 / 2, and e^r by its Taylor polynomial to r^7.
    /// x is clamped to [-87, 87], where e^x and 1 / (1 + e^x) stay normal floats (denormals are slow); sigmoid and
    /// tanh saturate well inside that.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> ExpSingle(Vector<float> x)
    {
        x = Vector.Clamp(x, new Vector<float>(-87f), new Vector<float>(87f));
        // Adding 1.5 * 2^23 rounds to an integer held in the low mantissa bits.
        var shifter = new Vector<float>(12582912f);
        var shifted = Vector.FusedMultiplyAdd(x, new Vector<float>(1.44269504f), shifter);
        var n = shifted - shifter;
        // ln 2 in two parts (Cody and Waite): n times the first is exact.
        var r = Vector.FusedMultiplyAdd(n, new Vector<float>(-1.42860677e-6f), Vector.FusedMultiplyAdd(n, new Vector<float>(-0.693145752f), x));
        var p = new Vector<float>(1f / 5040);
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1f / 720));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1f / 120));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1f / 24));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1f / 6));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(0.5f));
        p = Vector.FusedMultiplyAdd(p, r, Vector<float>.One);
        p = Vector.FusedMultiplyAdd(p, r, Vector<float>.One);
        // 2^n from its exponent bits.
        var scale = Vector.ShiftLeft(shifted.As<float, int>() - shifter.As<float, int>() + new Vector<int>(127), 23).As<int, float>();
        return p * scale;
    }
}

/// <summary>A fused pass, run with its activations as type arguments (see <see cref="FusedActivations.Run"/>).</summary>
internal interface IActivationPass
{
    void Run<TAct, TGate>() where TAct : struct, IVectorActivation where TGate : struct, IVectorActivation;
}

internal static class FusedActivations
{
    /// <summary>The activations the fused kernels implement, for the cell and for the gates alike.</summary>
    public static bool Supports(Activation activation) =>
        activation is Activation.Linear or Activation.Relu or Activation.Sigmoid or Activation.Tanh or Activation.HardSigmoid;

    /// <summary>Runs <paramref name="pass"/> with <paramref name="activation"/> and <paramref name="gate"/> as type arguments.</summary>
    public static void Run<TPass>(ref TPass pass, Activation activation, Activation gate) where TPass : struct, IActivationPass
    {
        switch (activation)
        {
            case Activation.Linear: WithGate<TPass, LinearActivation>(ref pass, gate); break;
            case Activation.Relu: WithGate<TPass, ReluActivation>(ref pass, gate); break;
            case Activation.Sigmoid: WithGate<TPass, SigmoidActivation>(ref pass, gate); break;
            case Activation.Tanh: WithGate<TPass, TanhActivation>(ref pass, gate); break;
            case Activation.HardSigmoid: WithGate<TPass, HardSigmoidActivation>(ref pass, gate); break;
            default: throw Unsupported(activation);
        }
    }

    private static void WithGate<TPass, TAct>(ref TPass pass, Activation gate)
        where TPass : struct, IActivationPass where TAct : struct, IVectorActivation
    {
        switch (gate)
        {
            case Activation.Linear: pass.Run<TAct, LinearActivation>(); break;
            case Activation.Relu: pass.Run<TAct, ReluActivation>(); break;
            case Activation.Sigmoid: pass.Run<TAct, SigmoidActivation>(); break;
            case Activation.Tanh: pass.Run<TAct, TanhActivation>(); break;
            case Activation.HardSigmoid: pass.Run<TAct, HardSigmoidActivation>(); break;
            default: throw Unsupported(gate);
        }
    }

    private static ArgumentOutOfRangeException Unsupported(Activation activation) =>
        new(nameof(activation), activation, "the fused recurrent kernels do not implement this activation");
}
