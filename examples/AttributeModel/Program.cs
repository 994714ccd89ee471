// Trains MnistMlp, the model declared with attributes in MnistMlp.cs.
using Examples.Mnist;

return ExampleRunner.Run(
    args,
    MnistMlp.Summary(),
    defaultModelPath: "mnist-mlp.ckpt",
    (train, test, options) => MnistMlp.Train(
        train,
        validation: test,
        epochs: options.Epochs ?? MnistMlp.DefaultEpochs,
        batchSize: options.BatchSize ?? MnistMlp.DefaultBatchSize,
        device: options.Device,
        checkpointDirectory: options.CheckpointDirectory,
        resume: options.Resume));
