using ModelDsl;

namespace Examples.Attributes;

/// <summary>The reference MNIST LSTM, declared with attributes instead of a model file.</summary>
[SequentialModel]
[Input(28, 28)]
[Preprocess(Rescale = 1 / 255.0)]
[Lstm(128, Activation = "relu", ReturnSequences = true)]
[Dropout(0.2)]
[Lstm(128, Activation = "relu")]
[Dropout(0.2)]
[Dense(32, Activation = "relu")]
[Dropout(0.2)]
[Dense(10, Activation = "softmax")]
[Compile(Optimizer = "adam", LearningRate = 0.001, Decay = 1e-5, Loss = "sparse_categorical_crossentropy", Metrics = new[] { "accuracy" })]
[Fit(Epochs = 3, BatchSize = 32, Seed = 42)]
public partial class AttributeLstm
{
}
