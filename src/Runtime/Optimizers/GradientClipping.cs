using System.Globalization;

namespace ModelDsl.Runtime.Optimizers;

/// <summary>
/// Keras 3's gradient clipping, applied to a step's gradients before the update: <c>clipnorm</c> scales each gradient
/// to an L2 norm of at most clipnorm (g * clipnorm / max(|g|, clipnorm)), <c>global_clipnorm</c> scales all of them by
/// one factor so that their joint norm is at most global_clipnorm (NaN when that norm is not finite, as in Keras), and
/// <c>clipvalue</c> clips each element to [-clipvalue, clipvalue]. Keras allows at most one of the three.
/// </summary>
internal sealed class GradientClipping
{
    public GradientClipping(double? clipnorm, double? clipvalue, double? globalClipnorm)
    {
        CheckPositive(clipnorm, nameof(clipnorm));
        CheckPositive(clipvalue, nameof(clipvalue));
        CheckPositive(globalClipnorm, nameof(globalClipnorm));
        if ((clipnorm is null ? 0 : 1) + (clipvalue is null ? 0 : 1) + (globalClipnorm is null ? 0 : 1) > 1)
        {
            throw new ArgumentException(
                "only one of clipnorm, clipvalue and global_clipnorm can be set (as in Keras), but got " +
                $"clipnorm={Text(clipnorm)}, clipvalue={Text(clipvalue)}, global_clipnorm={Text(globalClipnorm)}", nameof(clipnorm));
        }
        Clipnorm = clipnorm;
        Clipvalue = clipvalue;
        GlobalClipnorm = globalClipnorm;
    }

    public double? Clipnorm { get; }

    public double? Clipvalue { get; }

    public double? GlobalClipnorm { get; }

    /// <summary>
    /// Replaces each gradient (null: none) by its clipped copy, disposing the handle it replaces; the copies belong to
    /// the caller and to no dispose scope. Nothing happens without clipping. Autograd must be off.
    /// </summary>
    public void Apply(Tensor?[] gradients)
    {
        if (Clipnorm is double clipnorm)
        {
            for (var i = 0; i < gradients.Length; i++)
            {
                if (gradients[i] is { } gradient)
                    Replace(gradients, i, ClipByNorm(gradient, clipnorm));
            }
        }
        else if (GlobalClipnorm is double globalClipnorm)
        {
            ClipByGlobalNorm(gradients, globalClipnorm);
        }
        else if (Clipvalue is double clipvalue)
        {
            for (var i = 0; i < gradients.Length; i++)
            {
                if (gradients[i] is { } gradient)
                    Replace(gradients, i, gradient.clamp(-clipvalue, clipvalue).DetachFromDisposeScope());
            }
        }
    }

    private static Tensor ClipByNorm(Tensor gradient, double clipnorm)
    {
        using var scope = NewDisposeScope();
        var norm = gradient.square().sum().sqrt();
        return gradient.mul(clipnorm).div_(norm.clamp_min(clipnorm)).DetachFromDisposeScope();
    }

    private static void ClipByGlobalNorm(Tensor?[] gradients, double clipnorm)
    {
        var present = gradients.Where(g => g is not null).Select(g => g!).ToList();
        if (present.Count == 0)
            return;
        using var scope = NewDisposeScope();
        var norm = stack(present.Select(g => g.square().sum().to(ScalarType.Float64))).sum().sqrt();
        // Keras: clipnorm * min(1 / norm, 1 / clipnorm), plus (norm - norm) so an infinite or NaN norm gives NaN.
        var scale = norm.reciprocal().clamp_max(1 / clipnorm).mul_(clipnorm).add_(norm - norm);
        for (var i = 0; i < gradients.Length; i++)
        {
            if (gradients[i] is { } gradient)
                Replace(gradients, i, gradient.mul(scale.to(gradient.dtype)).DetachFromDisposeScope());
        }
    }

    private static void Replace(Tensor?[] gradients, int index, Tensor clipped)
    {
        gradients[index]!.Dispose();
        gradients[index] = clipped;
    }

    private static void CheckPositive(double? value, string name)
    {
        if (value is double v && !(v > 0 && double.IsFinite(v)))
            throw new ArgumentOutOfRangeException(name, v, $"{name} must be a positive finite number (or null for no clipping)");
    }

    private static string Text(double? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "None";
}
