using ModelDsl.Runtime;
using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Losses;
using ModelDsl.Runtime.Metrics;
using ModelDsl.Runtime.Optimizers;
using ModelDsl.Runtime.Training;
using static TorchSharp.torch;

namespace ModelDsl.Bench;

/// <summary>
/// The seed tutorial's model composed by hand exactly as the generator emits it from mnist-lstm.model.yaml:
/// lstm 128 relu (sequences), dropout .2, lstm 128 relu, dropout .2, dense 32 relu, dropout .2, dense 10 softmax;
/// Adam 1e-3 with legacy decay 1e-5; sparse categorical cross-entropy; pixels rescaled by 1/255. <c>cell</c> picks the
/// LSTMs' activation (tanh: the tanh-lstm benchmark).
/// </summary>
public sealed class SeedLstm : SequentialModel, IProfiled
{
    private readonly Lstm _lstm1;
    private readonly Dropout _dropout1;
    private readonly Lstm _lstm2;
    private readonly Dropout _dropout2;
    private readonly Dense _dense1;
    private readonly Dropout _dropout3;
    private readonly Dense _dense2;

    public static ModelConfig CreateConfig() => new(
        "SeedLstm",
        Loss.SparseCategoricalCrossentropy(),
        () => new Adam(learningRate: 0.001, decay: 1e-5),
        [Metric.SparseCategoricalAccuracy("accuracy")],
        0.00392156862745098,
        [28, 28]);

    public SeedLstm(Device? device = null, int? seed = 42, Activation cell = Activation.Relu) : base(CreateConfig(), seed)
    {
        _lstm1 = Add("lstm_1", new Lstm(28, 128, cell, returnSequences: true));
        _dropout1 = Add("dropout_1", new Dropout(0.2));
        _lstm2 = Add("lstm_2", new Lstm(128, 128, cell));
        _dropout2 = Add("dropout_2", new Dropout(0.2));
        _dense1 = Add("dense_1", new Dense(128, 32, Activation.Relu));
        _dropout3 = Add("dropout_3", new Dropout(0.2));
        _dense2 = Add("dense_2", new Dense(32, 10, Activation.Softmax));
        Build(device);
    }

    protected override Activation OutputActivation => Activation.Softmax;

    Activation IProfiled.OutputActivation => OutputActivation;

    public Tensor Logits(Tensor input) => ForwardLogits(input);

    protected override Tensor ForwardLogits(Tensor input)
    {
        var x = _lstm1.forward(input);
        x = _dropout1.forward(x);
        x = _lstm2.forward(x);
        x = _dropout2.forward(x);
        x = _dense1.forward(x);
        x = _dropout3.forward(x);
        return _dense2.ForwardLinear(x);
    }
}
