namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' Dropout: while training, zeroes a <see cref="Rate"/> fraction and scales the rest by 1/(1-rate); identity otherwise.</summary>
public sealed class Dropout : Layer
{
    public Dropout(double rate) : base(nameof(Dropout))
    {
        if (rate is < 0 or >= 1 || double.IsNaN(rate))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "the dropout rate must be in [0, 1)");
        Rate = rate;
    }

    public double Rate { get; }

    /// <summary>Nothing: dropout is off at inference.</summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) => input;

    public override Tensor forward(Tensor input) =>
        training && Rate > 0 ? nn.functional.dropout(input, Rate, training: true) : input.alias();
}
