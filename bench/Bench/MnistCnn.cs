using ModelDsl.Runtime;
using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Losses;
using ModelDsl.Runtime.Metrics;
using ModelDsl.Runtime.Optimizers;
using ModelDsl.Runtime.Training;
using static TorchSharp.torch;

namespace ModelDsl.Bench;

/// <summary>
/// examples/MnistCnn/mnist-cnn.model.yaml composed as the generator emits it: reshape (28, 28, 1), conv2d 32 3x3 relu,
/// max_pooling2d 2, conv2d 64 3x3 relu, max_pooling2d 2, flatten, dropout .25, dense 128 relu, dropout .5,
/// dense 10 softmax; Adam (Keras defaults); sparse categorical cross-entropy; pixels rescaled by 1/255.
/// </summary>
public sealed class MnistCnn : SequentialModel, IProfiled
{
    private readonly Reshape _reshape;
    private readonly Conv2D _conv1;
    private readonly MaxPooling2D _pool1;
    private readonly Conv2D _conv2;
    private readonly MaxPooling2D _pool2;
    private readonly Flatten _flatten;
    private readonly Dropout _dropout1;
    private readonly Dense _dense1;
    private readonly Dropout _dropout2;
    private readonly Dense _dense2;

    public static ModelConfig CreateConfig() => new(
        "MnistCnn",
        Loss.SparseCategoricalCrossentropy(),
        () => new Adam(),
        [Metric.SparseCategoricalAccuracy("accuracy")],
        0.00392156862745098,
        [28, 28]);

    public MnistCnn(Device? device = null, int? seed = 42) : base(CreateConfig(), seed)
    {
        _reshape = Add("reshape_1", new Reshape(28, 28, 1));
        _conv1 = Add("conv2d_1", new Conv2D(1, 32, (3, 3), activation: Activation.Relu));
        _pool1 = Add("max_pooling2d_1", new MaxPooling2D((2, 2), (2, 2)));
        _conv2 = Add("conv2d_2", new Conv2D(32, 64, (3, 3), activation: Activation.Relu));
        _pool2 = Add("max_pooling2d_2", new MaxPooling2D((2, 2), (2, 2)));
        _flatten = Add("flatten_1", new Flatten());
        _dropout1 = Add("dropout_1", new Dropout(0.25));
        _dense1 = Add("dense_1", new Dense(1600, 128, Activation.Relu));
        _dropout2 = Add("dropout_2", new Dropout(0.5));
        _dense2 = Add("dense_2", new Dense(128, 10, Activation.Softmax));
        Build(device);
    }

    protected override Activation OutputActivation => Activation.Softmax;

    Activation IProfiled.OutputActivation => OutputActivation;

    public Tensor Logits(Tensor input) => ForwardLogits(input);

    protected override Tensor ForwardLogits(Tensor input)
    {
        var x = _reshape.forward(input);
        x = _conv1.forward(x);
        x = _pool1.forward(x);
        x = _conv2.forward(x);
        x = _pool2.forward(x);
        x = _flatten.forward(x);
        x = _dropout1.forward(x);
        x = _dense1.forward(x);
        x = _dropout2.forward(x);
        return _dense2.ForwardLinear(x);
    }
}

/// <summary>What the per-phase profile needs from a bench model beyond <see cref="SequentialModel"/>.</summary>
public interface IProfiled
{
    Activation OutputActivation { get; }

    Tensor Logits(Tensor input);
}
