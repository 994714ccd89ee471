namespace ModelDsl.Runtime;

/// <summary>Element-wise math, comparisons, reductions and in-place updates (libtorch's broadcasting and type promotion).</summary>
public partial class Tensor
{
    private Tensor Binary(Tensor other, BinaryOp op) => new(NativeMethods.Binary(Handle, other.Handle, op));

    private Tensor Binary(double scalar, BinaryOp op) => new(NativeMethods.BinaryScalar(Handle, scalar, op));

    public static Tensor operator +(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Add);
    public static Tensor operator +(Tensor a, double b) => a.Binary(b, BinaryOp.Add);
    public static Tensor operator +(double a, Tensor b) => b.Binary(a, BinaryOp.Add);
    public static Tensor operator -(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Sub);
    public static Tensor operator -(Tensor a, double b) => a.Binary(b, BinaryOp.Sub);
    public static Tensor operator -(double a, Tensor b) => b.Binary(a, BinaryOp.ReverseSub);
    public static Tensor operator *(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Mul);
    public static Tensor operator *(Tensor a, double b) => a.Binary(b, BinaryOp.Mul);
    public static Tensor operator *(double a, Tensor b) => b.Binary(a, BinaryOp.Mul);
    public static Tensor operator /(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Div);
    public static Tensor operator /(Tensor a, double b) => a.Binary(b, BinaryOp.Div);
    public static Tensor operator /(double a, Tensor b) => b.Binary(a, BinaryOp.ReverseDiv);
    public static Tensor operator -(Tensor a) => a.Unary(UnaryOp.Neg);

    public Tensor Add(Tensor other) => Binary(other, BinaryOp.Add);
    public Tensor Add(double scalar) => Binary(scalar, BinaryOp.Add);
    public Tensor Sub(Tensor other) => Binary(other, BinaryOp.Sub);
    public Tensor Sub(double scalar) => Binary(scalar, BinaryOp.Sub);
    public Tensor Mul(Tensor other) => Binary(other, BinaryOp.Mul);
    public Tensor Mul(double scalar) => Binary(scalar, BinaryOp.Mul);
    public Tensor Div(Tensor other) => Binary(other, BinaryOp.Div);
    public Tensor Div(double scalar) => Binary(scalar, BinaryOp.Div);
    public Tensor Pow(Tensor exponent) => Binary(exponent, BinaryOp.Pow);
    public Tensor Pow(double exponent) => Binary(exponent, BinaryOp.Pow);
    public Tensor Maximum(Tensor other) => Binary(other, BinaryOp.Maximum);
    public Tensor Maximum(double scalar) => Binary(scalar, BinaryOp.Maximum);
    public Tensor Minimum(Tensor other) => Binary(other, BinaryOp.Minimum);
    public Tensor Minimum(double scalar) => Binary(scalar, BinaryOp.Minimum);

    public Tensor Neg() => Unary(UnaryOp.Neg);
    public Tensor Abs() => Unary(UnaryOp.Abs);
    public Tensor Sqrt() => Unary(UnaryOp.Sqrt);
    public Tensor Rsqrt() => Unary(UnaryOp.Rsqrt);
    public Tensor Exp() => Unary(UnaryOp.Exp);
    public Tensor Log() => Unary(UnaryOp.Log);
    public Tensor Log1p() => Unary(UnaryOp.Log1p);
    public Tensor Square() => Unary(UnaryOp.Square);
    public Tensor Sign() => Unary(UnaryOp.Sign);
    public Tensor Floor() => Unary(UnaryOp.Floor);

    /// <summary>Element-wise: true where neither infinite nor NaN.</summary>
    public Tensor IsFinite() => Unary(UnaryOp.IsFinite);

    /// <summary>True when every element is finite (one native call, one sync).</summary>
    public bool AllFinite()
    {
        t_hostReads++;
        NativeMethods.Check(NativeMethods.AllFinite(Handle, out var result));
        return result != 0;
    }

    public Tensor Clamp(double? min = null, double? max = null) =>
        new(NativeMethods.Clamp(Handle, min ?? 0, max ?? 0, min.HasValue ? 1 : 0, max.HasValue ? 1 : 0));

    /// <summary>Element-wise <paramref name="condition"/> ? <paramref name="a"/> : <paramref name="b"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b) => new(NativeMethods.Where(condition.Handle, a.Handle, b.Handle));

    // ---- comparisons (bool tensors) ----

    public Tensor Eq(Tensor other) => Binary(other, BinaryOp.Eq);
    public Tensor Eq(double scalar) => Binary(scalar, BinaryOp.Eq);
    public Tensor Ne(Tensor other) => Binary(other, BinaryOp.Ne);
    public Tensor Ne(double scalar) => Binary(scalar, BinaryOp.Ne);
    public Tensor Lt(Tensor other) => Binary(other, BinaryOp.Lt);
    public Tensor Lt(double scalar) => Binary(scalar, BinaryOp.Lt);
    public Tensor Le(Tensor other) => Binary(other, BinaryOp.Le);
    public Tensor Le(double scalar) => Binary(scalar, BinaryOp.Le);
    public Tensor Gt(Tensor other) => Binary(other, BinaryOp.Gt);
    public Tensor Gt(double scalar) => Binary(scalar, BinaryOp.Gt);
    public Tensor Ge(Tensor other) => Binary(other, BinaryOp.Ge);
    public Tensor Ge(double scalar) => Binary(scalar, BinaryOp.Ge);
    public Tensor LogicalAnd(Tensor other) => Binary(other, BinaryOp.LogicalAnd);
    public Tensor LogicalOr(Tensor other) => Binary(other, BinaryOp.LogicalOr);
    public Tensor LogicalNot() => Unary(UnaryOp.LogicalNot);

    // ---- reductions ----

    private unsafe Tensor Reduce(ReduceOp op, ReadOnlySpan<long> dims, bool keepDim)
    {
        fixed (long* p = dims)
            return new Tensor(NativeMethods.Reduce(Handle, op, p, dims.Length, keepDim ? 1 : 0));
    }

    /// <summary>The sum of every element (0-D).</summary>
    public Tensor Sum() => Reduce(ReduceOp.Sum, [], false);
    public Tensor Sum(long dim, bool keepDim = false) => Reduce(ReduceOp.Sum, [dim], keepDim);
    public Tensor Sum(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(ReduceOp.Sum, dims, keepDim);
    public Tensor Mean() => Reduce(ReduceOp.Mean, [], false);
    public Tensor Mean(long dim, bool keepDim = false) => Reduce(ReduceOp.Mean, [dim], keepDim);
    public Tensor Mean(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(ReduceOp.Mean, dims, keepDim);
    public Tensor Max() => Reduce(ReduceOp.Max, [], false);
    public Tensor Min() => Reduce(ReduceOp.Min, [], false);

    /// <summary>The maximum over some dimensions (values only).</summary>
    public Tensor Amax(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(ReduceOp.Max, dims, keepDim);
    public Tensor Amin(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(ReduceOp.Min, dims, keepDim);
    public Tensor All() => Reduce(ReduceOp.All, [], false);
    public Tensor Any() => Reduce(ReduceOp.Any, [], false);

    /// <summary>The maximum along <paramref name="dim"/> and where it is.</summary>
    public (Tensor Values, Tensor Indices) Max(long dim, bool keepDim = false)
    {
        NativeMethods.Check(NativeMethods.MaxDim(Handle, dim, keepDim ? 1 : 0, out var values, out var indices));
        return (new Tensor(values), new Tensor(indices));
    }

    public Tensor ArgMax(long dim, bool keepDim = false) => new(NativeMethods.ArgMax(Handle, dim, keepDim ? 1 : 0));

    // ---- in place (optimizers, running statistics); each returns this ----

    private Tensor InPlace(Tensor other, BinaryOp op, double alpha = 1)
    {
        NativeMethods.Check(NativeMethods.BinaryInPlace(Handle, other.Handle, op, alpha));
        return this;
    }

    private Tensor InPlace(double scalar, BinaryOp op)
    {
        NativeMethods.Check(NativeMethods.BinaryScalarInPlace(Handle, scalar, op));
        return this;
    }

    /// <summary>this += alpha * other.</summary>
    public Tensor AddInPlace(Tensor other, double alpha = 1) => InPlace(other, BinaryOp.Add, alpha);
    public Tensor AddInPlace(double scalar) => InPlace(scalar, BinaryOp.Add);
    /// <summary>this -= alpha * other.</summary>
    public Tensor SubInPlace(Tensor other, double alpha = 1) => InPlace(other, BinaryOp.Sub, alpha);
    public Tensor SubInPlace(double scalar) => InPlace(scalar, BinaryOp.Sub);
    public Tensor MulInPlace(Tensor other) => InPlace(other, BinaryOp.Mul);
    public Tensor MulInPlace(double scalar) => InPlace(scalar, BinaryOp.Mul);
    public Tensor DivInPlace(Tensor other) => InPlace(other, BinaryOp.Div);
    public Tensor DivInPlace(double scalar) => InPlace(scalar, BinaryOp.Div);
    public Tensor PowInPlace(double exponent) => InPlace(exponent, BinaryOp.Pow);
    public Tensor MaximumInPlace(Tensor other) => InPlace(other, BinaryOp.Maximum);
    public Tensor ClampMinInPlace(double min) => InPlace(min, BinaryOp.Maximum);
    public Tensor ClampMaxInPlace(double max) => InPlace(max, BinaryOp.Minimum);

    public Tensor FillInPlace(double value)
    {
        NativeMethods.Check(NativeMethods.FillInPlace(Handle, value));
        return this;
    }

    public Tensor ZeroInPlace() => FillInPlace(0);

    /// <summary>Copies <paramref name="source"/>'s values into this tensor (broadcast, converted, across devices).</summary>
    public Tensor CopyFrom(Tensor source)
    {
        NativeMethods.Check(NativeMethods.CopyInPlace(Handle, source.Handle));
        return this;
    }

    // ---- linear algebra ----

    public Tensor MatMul(Tensor other) => new(NativeMethods.MatMul(Handle, other.Handle));

    /// <summary>x weightᵀ + bias with PyTorch's layout: weight (out, in).</summary>
    public Tensor Linear(Tensor weight, Tensor? bias = null) => new(NativeMethods.Linear(Handle, weight.Handle, HandleOf(bias)));

    /// <summary>x kernel + bias with Keras' layout: kernel (in, out), on the last axis.</summary>
    public Tensor Dense(Tensor kernel, Tensor? bias = null) => new(NativeMethods.Dense(Handle, kernel.Handle, HandleOf(bias)));
}
