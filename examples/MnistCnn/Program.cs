// Trains the MNIST CNN declared in mnist-cnn.model.yaml. The MnistCnn class is generated
// at compile time from that file by the ModelDsl source generator.
using Examples.Mnist;

return ExampleRunner.Run(
    args,
    MnistCnn.Summary(),
    defaultModelPath: "mnist-cnn.ckpt",
    (train, test, options) => MnistCnn.Train(
        train,
        validation: test,
        epochs: options.Epochs ?? MnistCnn.DefaultEpochs,
        batchSize: options.BatchSize ?? MnistCnn.DefaultBatchSize,
        device: options.Device,
        checkpointDirectory: options.CheckpointDirectory,
        resume: options.Resume));
