using ModelDsl.Runtime;
using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Losses;
using ModelDsl.Runtime.Optimizers;
using ModelDsl.Runtime.Training;
using static TorchSharp.torch;

namespace ModelDsl.Onnx.Tests;

/// <summary>A model by hand around one layer, as a TorchSharp user would write it, for the export's own behaviour.</summary>
internal sealed class OneLayerModel : SequentialModel
{
    private readonly Layer _layer;

    public OneLayerModel(Layer layer, params int[] inputShape)
        : base(new ModelConfig("OneLayer", Loss.MeanSquaredError(), () => new Adam(), [], null, inputShape), seed: 5)
    {
        _layer = Add("only", layer);
        Build(CPU);
    }

    protected override Activation OutputActivation => Activation.Linear;

    protected override Tensor ForwardLogits(Tensor input) => _layer.forward(input);
}

/// <summary>A layer of a user's own, with no ONNX form.</summary>
internal sealed class Doubling() : Layer(nameof(Doubling))
{
    public override Tensor forward(Tensor input) => input * 2;
}
